"""RFC 6026 §6 ¶2 and §7.1 ¶5: an INVITE server transaction that met an unrecoverable transport error sending a
response keeps its state (it is not destroyed, its machine stays in its state), so that a CANCEL still matches it
and a retransmitted INVITE is still absorbed.

How a send is made to fail, black-box, over TCP: the INVITE's Via names a sent-by port where nothing listens
(``unreachable_sent_by``); the peer closes the INVITE's connection, so the DUT can deliver no response to it
(§18.2.2: the connection is gone, a new one to the sent-by is refused). Then the DUT is made to send one:

- a UAS: see ``sipconform.flows.transport_error``.
- a proxy: the branch sends 180, which §16.7 step 5 has the DUT forward upstream at once: it fails.

That the DUT did try is not visible on the wire. So each test first runs a control call, the same but with no
response to send (the connection closed, nothing more to send): its CANCEL on a new connection must match. If
it does not, the DUT loses the INVITE with its connection (RFC3261-28.1-1), not with a failed send, and the
test is inconclusive; if it does, a CANCEL that then no longer matches is the failed send's doing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sipconform.dut.profile import DutProfile
from sipconform.peer import SipPeer
from sipconform.scenario.proxy import (ProxiedCall, downstream, end_branch, pause, place_call, provisional,
                                       quiet_window, reach_branches, relayed, requests_seen, responses_seen,
                                       unreachable_sent_by, upstream_provisional, wait_until)
from sipconform.sip import Request, Response, cancel_for, cancel_matches
from sipconform.verdict import Inconclusive

__all__ = ["CancelOutcome", "after_failed_relay", "cancel_through_proxy", "invite_forwarded_again", "proxy_control"]


def settle(dut: DutProfile) -> float:
    """How long the DUT is given to see the peer close a connection: 2*T1 of the DUT."""
    return 2 * dut.timers.t1


def attempt_window(dut: DutProfile) -> float:
    """How long the DUT is given to try (and fail) to send a response: 4*T1 of the DUT (a refused connect on
    the peer's host fails at once)."""
    return 4 * dut.timers.t1


def _dest(dut: DutProfile) -> tuple[str, int]:
    return dut.host, dut.port


# -- DUT as proxy ---------------------------------------------------------------------------------------------
@dataclass
class CancelOutcome:
    """What became of the UAC's CANCEL: the DUT's response to it (None: none) and the CANCEL at the branch."""

    response: Response | None
    forwarded: Request | None
    invite: Request

    @property
    def forwarded_matches(self) -> bool:
        """The forwarded CANCEL cancels the branch's INVITE (same branch parameter, §9.1, §17.2.3)."""
        return self.forwarded is not None and cancel_matches(self.invite, self.forwarded)

    @property
    def matched(self) -> bool:
        """The DUT matched the CANCEL to the INVITE's transaction: its own 200 (§16.10) and a CANCEL of the
        branch's INVITE (a response relayed from the branch, or a 481, shows it found none)."""
        return (self.response is not None and self.response.status == 200 and relayed(self.response) is None
                and self.forwarded_matches)

    def describe(self) -> str:
        if self.response is None:
            answer = "no response"
        else:
            answer = repr(self.response.start_line) + (" relayed from the branch" if relayed(self.response) else "")
        if self.forwarded is None:
            fate = "it was not forwarded to the branch"
        elif not self.forwarded_matches:
            fate = (f"it reached the branch with branch={self.forwarded.top_via.branch}, not that of the branch's "
                    "INVITE (as a CANCEL matching no transaction is forwarded)")
        else:
            fate = "it was forwarded to the branch"
        return f"{answer}, and {fate}"


def _stranded_proxied_call(uac: SipPeer, dut: DutProfile, factory: Any, *, branch_says: int | None) -> ProxiedCall:
    """The UAC's INVITE (sent-by unreachable) at the branch, the DUT's 100 at the UAC, the branch's
    ``branch_says`` (100: nothing the DUT forwards) before the UAC closes its connection."""
    call = place_call(uac, dut, downstream(factory), edit=unreachable_sent_by(uac))
    reach_branches(call)
    upstream_provisional(call)
    if branch_says is not None:
        provisional(call.branches[0], branch_says)
    uac.close_connections()
    pause(uac, settle(dut))
    return call


def cancel_through_proxy(call: ProxiedCall) -> CancelOutcome:
    """The UAC's CANCEL on a new connection. A CANCEL reaching the branch is answered as a UAS would (200 and 487
    if it cancels the branch's INVITE, else 481); returns the DUT's response at the UAC and that CANCEL."""
    uac, branch = call.uac, call.branches[0]
    assert branch.invite is not None
    request = cancel_for(call.invite)
    uac.send(request, _dest(call.dut))
    window = quiet_window(call.dut)

    def final() -> Response | None:
        return next((r for r in responses_seen(uac, request) if r.is_final), None)

    def at_branch() -> Request | None:
        got = requests_seen(branch.peer, "CANCEL", call.invite.call_id)
        return got[0].message if got and isinstance(got[0].message, Request) else None

    wait_until(uac, lambda: final() is not None and at_branch() is not None, window)
    forwarded = at_branch()
    if forwarded is not None:
        branch.peer.expect_request("CANCEL", within=0, where=lambda r: r is forwarded)
        if cancel_matches(branch.invite, forwarded):
            end_branch(branch, forwarded)
        else:
            branch.peer.respond(forwarded, 481)
        wait_until(uac, lambda: final() is not None, window)
    return CancelOutcome(final(), forwarded, branch.invite)


def proxy_control(uac: SipPeer, dut: DutProfile, factory: Any) -> None:
    """The control call: the branch sent only 100 (nothing to forward upstream), the UAC's connection closed:
    its CANCEL on a new connection must be matched, else inconclusive."""
    outcome = cancel_through_proxy(_stranded_proxied_call(uac, dut, factory, branch_says=100))
    if not outcome.matched:
        raise Inconclusive(f"control call: once the UAC's TCP connection closed (no response failing), its CANCEL "
                           f"on a new connection got {outcome.describe()}: a failed send cannot be told apart from "
                           "that")


def after_failed_relay(uac: SipPeer, dut: DutProfile, factory: Any) -> ProxiedCall:
    """The control call, then a call whose branch's 180 the DUT cannot forward upstream (the UAC's connection
    closed, its sent-by refusing connections): the call in that state. A 180 reaching the UAC: inconclusive."""
    proxy_control(uac, dut, factory)
    call = _stranded_proxied_call(uac, dut, factory, branch_says=None)
    provisional(call.branches[0], 180)
    pause(uac, attempt_window(dut))
    if [r for r in responses_seen(uac, call.invite) if r.status == 180]:
        raise Inconclusive("the branch's 180 reached the UAC: the DUT met no transport error upstream")
    return call


def invite_forwarded_again(call: ProxiedCall) -> Request | None:
    """Send the UAC's INVITE again, unchanged, on another connection than its own; a new INVITE of the call (another branch
    parameter than the forwarded one) at the branch within the attempt window, or None."""
    uac, branch = call.uac, call.branches[0]
    assert branch.invite is not None
    first = branch.invite.top_via.branch
    uac.send(bytes(call.invite), _dest(call.dut))
    pause(uac, attempt_window(call.dut))
    again = [i.message for i in requests_seen(branch.peer, "INVITE", call.invite.call_id)
             if isinstance(i.message, Request) and i.message.top_via.branch != first]
    return again[0] if again else None
