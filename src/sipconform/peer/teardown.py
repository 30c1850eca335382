"""Leave the DUT as the test found it: end the calls a test left half-open.

A test that stops while an INVITE is still ringing would leave the call pending on the DUT (a real UA
then runs out of lines: "486 Max Calls"). At teardown the peer CANCELs its INVITEs still in the
Proceeding state (§9.1) and answers the DUT's INVITEs still pending with 480 (§21.4.18), then pumps
the reactor until those transactions complete or a deadline derived from T1 passes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sipconform.sip.build import cancel_for
from sipconform.sip.transaction_table import State

if TYPE_CHECKING:
    from sipconform.peer.peer import SipPeer
    from sipconform.sip.message import Request

__all__ = ["wind_up"]


def wind_up(peer: SipPeer) -> None:
    """CANCEL our ringing INVITEs and reject the DUT's pending ones; bounded by 8*T1, or
    until a teardown CANCEL is refused (481): then the DUT has lost the call and no 487 will come."""
    if peer.reactor.closed:
        return
    pending_out = [e for e in peer._clients.values()
                   if e.tx.request.method == "INVITE" and e.tx.state is State.PROCEEDING]
    pending_in = [e for e in peer._servers.values()
                  if e.tx.request.method == "INVITE" and e.tx.state is State.PROCEEDING]
    if not pending_out and not pending_in:
        return
    for entry in pending_out:
        peer.wire.record("note", peer.transport, peer.address, entry.dest, b"",
                         note="teardown: cancelling an INVITE the test left ringing")
        peer.send(cancel_for(entry.tx.request), entry.dest)
    for entry in pending_in:
        peer.wire.record("note", peer.transport, peer.address, entry.dest, b"",
                         note="teardown: rejecting an INVITE the test left pending")
        peer.respond(entry.tx.request, 480)
    def settled() -> bool:
        return (all(e.tx.state is not State.PROCEEDING or _refused(peer, e.tx.request) for e in pending_out)
                and all(e.tx.state is not State.PROCEEDING for e in pending_in))

    peer.reactor.run_until(settled, peer.reactor.now() + 8 * peer.timers.t1, floor=False)


def _refused(peer: SipPeer, invite: Request) -> bool:
    """The teardown CANCEL got a non-2xx final response (481: the DUT has no such call): no 487 will come."""
    entry = peer._clients.get((invite.top_via.branch, "CANCEL"))
    final = getattr(entry.tx, "final", None) if entry is not None else None
    return final is not None and final.status >= 300
