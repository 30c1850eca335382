"""Leave the DUT as the test found it: end the calls a test left half-open.

A test that stops while an INVITE is still ringing would leave the call pending on the DUT (a real UA
then runs out of lines: "486 Max Calls"). At teardown the peer CANCELs its INVITEs still in the
Proceeding state (§9.1) and answers the DUT's INVITEs still pending with 480 (§21.4.18), then pumps
the reactor until those transactions complete or a deadline derived from T1 passes.

An INVITE whose CANCEL the DUT already answered (the test cancelled it) is not cancelled again; once every
CANCEL is answered, the INVITEs get ``Timers.immediately`` more for their 487 (§9.2 ¶4: it comes at once),
not the whole 8*T1: a DUT that never sends it would otherwise cost the run that per test, for the one fault
a test already judged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sipconform.sip import Request, Response
from sipconform.sip.build import cancel_for
from sipconform.sip.transaction_table import State

if TYPE_CHECKING:
    from sipconform.peer.peer import SipPeer

__all__ = ["wind_up"]


def wind_up(peer: SipPeer) -> None:
    """CANCEL our ringing INVITEs (but those whose CANCEL was answered) and reject the DUT's pending ones;
    bounded by ``Timers.ack`` (8*T1)."""
    if peer.reactor.closed:
        return
    ringing = [e for e in peer._clients.values() if e.tx.request.method == "INVITE" and e.tx.state is State.PROCEEDING]
    cancelled = [e for e in ringing if _cancel_answered(peer, e.tx.request)]
    pending_out = [e for e in ringing if e not in cancelled]
    pending_in = [e for e in peer._servers.values()
                  if e.tx.request.method == "INVITE" and e.tx.state is State.PROCEEDING]
    if not ringing and not pending_in:
        return
    for entry in pending_out:
        peer.wire.record("note", peer.transport, peer.address, entry.dest, b"",
                         note="teardown: cancelling an INVITE the test left ringing")
        peer.send(cancel_for(entry.tx.request), entry.dest)
    for entry in pending_in:
        peer.wire.record("note", peer.transport, peer.address, entry.dest, b"",
                         note="teardown: rejecting an INVITE the test left pending")
        peer.respond(entry.tx.request, 480)
    deadline = peer.reactor.now() + peer.timers.ack

    def ended(entries: list[Any]) -> bool:
        return all(e.tx.state is not State.PROCEEDING for e in entries)

    peer.reactor.run_until(lambda: ended(pending_in) and all(
        e.tx.state is not State.PROCEEDING or _cancel_answered(peer, e.tx.request) for e in pending_out), deadline)
    peer.reactor.run_until(lambda: ended(ringing + pending_in),
                           min(deadline, peer.reactor.now() + peer.timers.immediately))


def _cancel_answered(peer: SipPeer, invite: Request) -> bool:
    """The DUT sent a final response to a CANCEL of ``invite`` (its Via branch and Call-ID, §9.1)."""
    branch = invite.top_via.branch
    return any(r.direction == "in" and isinstance(r.message, Response) and r.message.is_final
               and r.message.cseq.method == "CANCEL" and r.message.call_id == invite.call_id
               and r.message.top_via.branch == branch for r in peer.wire.records)
