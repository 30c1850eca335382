"""RFC 6026 §6 ¶2 and §7.1 ¶5, the DUT as proxy: make its INVITE server transaction (the UAC side) meet an
unrecoverable transport error sending a response upstream, over TCP, black-box.

The UAC's INVITE names in its Via a sent-by port where nothing listens (``unreachable_sent_by``); the UAC closes
the INVITE's connection, so the DUT can deliver no response to it (§18.2.2: the connection is gone, a new one to
the sent-by is refused) (``stranded_call``). Then the branch sends 180, which §16.7 step 5 has the DUT forward
upstream at once (``relay_fails``): that send fails.

That the DUT did try is not visible on the wire: the conformance modules first run a control call, stranded the
same way but whose branch sends only 100 (nothing to forward), and cancel it on a new connection
(``cancel_through_proxy``); the check is ``sipconform.verify.transaction.cancel_not_matched``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sipconform.dut.profile import DutProfile
from sipconform.peer import SipPeer
from sipconform.sip import Request, Response, cancel_for, cancel_matches

from .proxy import (ProxiedCall, await_provisional, downstream, end_branch, place_call, provisional, reach_branches,
                    requests_seen, responses_seen, unreachable_sent_by)

__all__ = ["CancelOutcome", "FailedRelay", "cancel_through_proxy", "failed_relay", "invite_forwarded_again",
           "relay_fails", "stranded_call"]


@dataclass
class CancelOutcome:
    """What became of the UAC's CANCEL: the DUT's final response to it (None: none), the CANCEL that reached the
    branch (None: none), and the branch's INVITE."""

    response: Response | None
    forwarded: Request | None
    invite: Request


def stranded_call(uac: SipPeer, dut: DutProfile, factory: Any, *, branch_says: int | None = 100) -> ProxiedCall:
    """The UAC's INVITE (sent-by unreachable) at the branch, a provisional at the UAC (the DUT's 100), the
    branch's ``branch_says`` (100: nothing the DUT forwards; None: nothing); then the UAC closes its connection
    and gives the DUT ``Timers.settle`` to see it closed. ``NoMessage`` if the INVITE or the 100 does not come."""
    call = place_call(uac, dut, downstream(factory), edit=unreachable_sent_by(uac))
    reach_branches(call)
    await_provisional(call)
    if branch_says is not None:
        provisional(call.branches[0], branch_says)
    uac.close_connections()
    uac.reactor.run_for(dut.timers.settle)
    return call


def relay_fails(call: ProxiedCall) -> list[Response]:
    """The branch sends 180, which the DUT should forward upstream at once but cannot; the 180s that reached the
    UAC all the same within ``Timers.immediately`` (none: the send failed)."""
    provisional(call.branches[0], 180)
    call.uac.reactor.run_for(call.dut.timers.immediately)
    return [r for r in responses_seen(call.uac, call.invite) if r.status == 180]


def cancel_through_proxy(call: ProxiedCall) -> CancelOutcome:
    """The UAC's CANCEL on a new connection. A CANCEL reaching the branch is answered as a UAS would (200 and 487
    if it cancels the branch's INVITE, else 481); returns the DUT's response at the UAC and that CANCEL (each
    waited for ``Timers.quiet``)."""
    uac, branch, invite = call.uac, call.branches[0], call.branches[0].forwarded
    request = cancel_for(call.invite)
    uac.send(request, (call.dut.host, call.dut.port))
    window = call.dut.timers.quiet

    def final() -> Response | None:
        return next((r for r in responses_seen(uac, request) if r.is_final), None)

    def at_branch() -> Request | None:
        got = requests_seen(branch.peer, "CANCEL", call.invite.call_id)
        return got[0].message if got and isinstance(got[0].message, Request) else None

    uac.wait_until(lambda: final() is not None and at_branch() is not None, window)
    forwarded = at_branch()
    if forwarded is not None:
        branch.peer.expect_request("CANCEL", within=0, where=lambda r: r is forwarded)
        if cancel_matches(invite, forwarded):
            end_branch(branch, forwarded)
        else:
            branch.peer.respond(forwarded, 481)
        uac.wait_until(lambda: final() is not None, window)
    return CancelOutcome(final(), forwarded, invite)


@dataclass
class FailedRelay:
    """The control call's CANCEL outcome, the call whose 180 the DUT could not relay, and the 180s that reached
    the UAC all the same (none: the send failed)."""

    control: CancelOutcome
    call: ProxiedCall
    relayed_180s: list[Response]


def failed_relay(uac: SipPeer, dut: DutProfile, factory: Any) -> FailedRelay:
    """The control call (``stranded_call`` cancelled on a new connection), then a stranded call whose branch
    sends 180 (``relay_fails``). ``NoMessage`` if either call does not reach the branch."""
    control = cancel_through_proxy(stranded_call(uac, dut, factory))
    call = stranded_call(uac, dut, factory, branch_says=None)
    return FailedRelay(control, call, relay_fails(call))


def invite_forwarded_again(call: ProxiedCall) -> Request | None:
    """Send the UAC's INVITE again, unchanged, on another connection than its own; a new INVITE of the call
    (another branch parameter than the forwarded one) at the branch within ``Timers.immediately``, or None."""
    first = call.branches[0].forwarded.top_via.branch
    call.uac.send(bytes(call.invite), (call.dut.host, call.dut.port))
    call.uac.reactor.run_for(call.dut.timers.immediately)
    again = [i.message for i in requests_seen(call.branches[0].peer, "INVITE", call.invite.call_id)
             if isinstance(i.message, Request) and i.message.top_via.branch != first]
    return again[0] if again else None
