"""RFC 6026 §6 ¶2 and §7.1 ¶5, the DUT as UAS: make its INVITE server transaction meet an unrecoverable transport
error sending a response, over TCP, black-box.

The INVITE's Via names a sent-by port where nothing listens (``stranded``); the peer closes the INVITE's
connection, so the DUT can deliver no response to it (§18.2.2: the connection is gone, a new one to the sent-by
is refused). Then ``invite_sent_again`` makes it send one: the INVITE again on a new connection is a
retransmission (§17.2.3), and in "Proceeding" §17.2.1 has "the most recent provisional response" passed to the
transport for retransmission, towards the INVITE's own connection (§18.2.2), which fails.

That the DUT did try is not visible on the wire: the conformance modules first run a control call, stranded the
same way but with no response to send, and cancel it on a new connection (``cancel_on_new_connection``).
"""

from __future__ import annotations

from sipconform.dut.profile import DutProfile
from sipconform.peer import SipPeer
from sipconform.flows.proxy import unreachable_sent_by
from sipconform.sip import Response, cancel_for

from .uas import Call, answers_to, ring

__all__ = ["cancel_on_new_connection", "invite_sent_again", "stranded"]


def stranded(peer: SipPeer, dut: DutProfile, *, settle: float) -> Call:
    """Ring the DUT with an INVITE whose sent-by is unreachable, close its connection, and give the DUT
    ``settle`` to see it closed."""
    call = ring(peer, dut, edit=unreachable_sent_by(peer))
    peer.close_connections()
    peer.reactor.run_for(settle)
    return call


def cancel_on_new_connection(call: Call, *, within: float) -> Response | None:
    """The CANCEL of the call's INVITE on a new connection; its final response within ``within``, or None."""
    peer = call.peer
    request = cancel_for(call.invite)
    peer.send(request, peer.source_of(call.responses[0]))

    def finals() -> list[Response]:
        return [r.message for r in peer.arrivals(answers_to(request))
                if isinstance(r.message, Response) and r.message.is_final]

    peer.wait_until(lambda: bool(finals()), within=within)
    return next(iter(finals()), None)


def invite_sent_again(call: Call, *, window: float) -> list[Response]:
    """Send the call's INVITE again, unchanged, on another connection than its own (a retransmission,
    §17.2.3); the responses to it that came on that connection within ``window``."""
    peer = call.peer
    mark = len(peer.wire.records)
    peer.send(bytes(call.invite), peer.source_of(call.responses[0]))
    peer.reactor.run_for(window)
    return [r.message for r in peer.wire.records[mark:] if r.direction == "in" and isinstance(r.message, Response)
            and answers_to(call.invite)(r.message)]

