"""Re-exports for the modules of other roles that still import the UAS steps from here (the proxy's §17.2.1,
§18.2.2 and RFC 3581 modules, ``scenario.proxy``): the steps live in
``sipconform.flows.uas``, the checks in ``sipconform.verify.landing``.

``lands_at_sent_by``, ``lands_at_source`` and ``cancel_on_second_connection`` keep their old shape (wait, then
judge) for the proxy modules that call them; the UAS modules take the step and the check apart.
"""

from __future__ import annotations

from sipconform.dut.profile import DutProfile
from sipconform.flows.uas import is_final_to, landing, response_delay, sent_from
from sipconform.peer import NoMessage, SipPeer
from sipconform.sip import Request, Response, cancel_for
from sipconform.verdict import Inconclusive
from sipconform.verify.landing import at_sent_by_port, at_source_port

__all__ = ["cancel_on_second_connection", "is_final_to", "lands_at_sent_by", "lands_at_source", "response_delay",
           "sent_from"]


def _landing(peers: list[SipPeer], request: Request, within: float) -> tuple[SipPeer, Response]:
    try:
        return landing(peers, request, within)
    except NoMessage as exc:
        raise Inconclusive(str(exc)) from None


def lands_at_sent_by(sender: SipPeer, sent_by_peer: SipPeer, request: Request, within: float) -> Response:
    """RFC3261-18.2.2-2 (UDP, no rport): the first response to ``request`` must reach ``sent_by_peer``; none at
    either socket is inconclusive."""
    peer, response = _landing([sent_by_peer, sender], request, within)
    problems = at_sent_by_port(response, peer.address[1], source=sender.address[1],
                               sent_by=sent_by_peer.address[1], method=request.method)
    assert not problems, "; ".join(problems)
    return response


def lands_at_source(sender: SipPeer, sent_by_peer: SipPeer, request: Request, dut: DutProfile,
                    within: float) -> Response:
    """RFC3581-4-2 (UDP, rport): the first response to ``request`` must reach ``sender``, from the DUT's address
    where the request was received; none at either socket is inconclusive."""
    peer, response = _landing([sender, sent_by_peer], request, within)
    problems = at_source_port(response, peer.address[1], source=sender.address[1], sent_by=sent_by_peer.address[1],
                              method=request.method, came_from=peer.source_of(response),
                              received_at=(dut.host, dut.port))
    assert not problems, "; ".join(problems)
    return response


def cancel_on_second_connection(other: SipPeer, origin: SipPeer, invite: Request, dest: tuple[str, int],
                                within: float) -> Response:
    """RFC3261-18.2.2-1 over TCP: the CANCEL of ``invite`` sent again from ``other``, on a second connection to
    ``dest``: its response must come on that connection; no answer, or no 200 (the INVITE was not cancelled,
    see RFC3261-22.1-2), is inconclusive."""
    request = cancel_for(invite)
    other.send(request, dest)
    peer, response = _landing([other, origin], request, within)
    assert peer is other, (f"{response.start_line!r} to the CANCEL came on the INVITE's connection, not on "
                           "the CANCEL's own")
    response = other.expect_response(request, final=True)
    if response.status != 200:
        raise Inconclusive(f"the CANCEL on a second connection was answered {response.start_line!r}, so the "
                           "INVITE was not cancelled (see RFC3261-22.1-2)")
    return response
