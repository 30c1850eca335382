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

from sipconform.sip.message import Request

if TYPE_CHECKING:
    from sipconform.peer.peer import SipPeer

__all__ = ["wind_up"]


def wind_up(peer: SipPeer) -> None:
    """CANCEL our ringing INVITEs and reject the DUT's pending ones; bounded by 8*T1, and shorter when the
    DUT has answered: a CANCEL refused (481: it lost the call) ends the wait at once, one answered 200
    leaves 2*T1 for the 487."""
    if peer.reactor.closed:
        return
    pending_out = [e for e in peer._clients.values()  # noqa: SLF001 - teardown is the peer's own
                   if e.tx.request.method == "INVITE" and e.tx.state is State.PROCEEDING]
    pending_in = [e for e in peer._servers.values()  # noqa: SLF001 - teardown is the peer's own
                  if e.tx.request.method == "INVITE" and e.tx.state is State.PROCEEDING]
    if not pending_out and not pending_in:
        return
    # an INVITE the test itself already CANCELled: the DUT has that CANCEL; its 487 came or cannot come
    # (e.g. over a connection the test closed), so the teardown sends its CANCEL but does not wait for it
    cancelled = {r.message.top_via.branch for r in peer.wire.records
                 if r.direction == "out" and isinstance(r.message, Request) and r.message.method == "CANCEL"}
    waited_for = [e for e in pending_out if e.tx.request.top_via.branch not in cancelled]
    for entry in pending_out:
        peer.wire.record("note", peer.transport, peer.address, entry.dest, b"",
                         note="teardown: cancelling an INVITE the test left ringing")
        peer.send(cancel_for(entry.tx.request), entry.dest)
    for entry in pending_in:
        peer.wire.record("note", peer.transport, peer.address, entry.dest, b"",
                         note="teardown: rejecting an INVITE the test left pending")
        peer.respond(entry.tx.request, 480)
    def settled() -> bool:
        return (all(e.tx.state is not State.PROCEEDING or _cancel_final(peer, e.tx.request) >= 300
                    for e in waited_for)
                and all(e.tx.state is not State.PROCEEDING for e in pending_in))

    def answered() -> bool:
        return settled() or all(_cancel_final(peer, e.tx.request) for e in waited_for)

    t1 = peer.timers.t1
    deadline = peer.reactor.now() + 8 * t1
    if peer.reactor.run_until(answered, deadline, floor=False) and not settled():
        # every CANCEL got its 200: the 487s follow at once (§9.2), or never (a connection that is gone)
        peer.reactor.run_until(settled, min(deadline, peer.reactor.now() + 2 * t1), floor=False)


def _cancel_final(peer: SipPeer, invite: Request) -> int:
    """The status of the final response to the teardown CANCEL of ``invite`` (0: none yet). Non-2xx (481:
    the DUT has no such call) means no 487 will come."""
    entry = peer._clients.get((invite.top_via.branch, "CANCEL"))  # noqa: SLF001  (teardown is the peer's own)
    final = getattr(entry.tx, "final", None) if entry is not None else None
    return int(final.status) if final is not None else 0
