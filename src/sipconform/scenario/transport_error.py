"""RFC 6026 §6 ¶2 and §7.1 ¶5: an INVITE server transaction that met an unrecoverable transport error sending a
response keeps its state (it is not destroyed, its machine stays in its state), so that a CANCEL still matches it
and a retransmitted INVITE is still absorbed.

How a send is made to fail, black-box, over TCP: the INVITE's Via names a sent-by port where nothing listens
(``unreachable_sent_by``); the peer closes the INVITE's connection, so the DUT can deliver no response to it
(§18.2.2: the connection is gone, a new one to the sent-by is refused). Then the DUT is made to send one:

- a UAS: the INVITE is sent again on a new connection; §17.2.1 ("Proceeding"): "the most recent provisional
  response ... MUST be passed to the transport layer for retransmission", towards the INVITE's own connection
  (§18.2.2), which fails. A DUT that answers on the new connection met no error: inconclusive.
- a proxy: the branch sends 180, which §16.7 step 5 has the DUT forward upstream at once: it fails.

That the DUT did try is not visible on the wire. So each test first runs a control call, the same but with no
response to send (the connection closed, nothing more to send): its CANCEL on a new connection must match. If
it does not, the DUT loses the INVITE with its connection (RFC3261-28.1-1), not with a failed send, and the
test is inconclusive; if it does, a CANCEL that then no longer matches is the failed send's doing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sipconform.dut.profile import DutProfile
from sipconform.peer import SipPeer
from sipconform.peer.wirelog import WireRecord
from sipconform.scenario.proxy import (ProxiedCall, downstream, end_branch, pause, place_call, provisional,
                                       quiet_window, reach_branches, relayed, requests_seen, responses_seen,
                                       unreachable_sent_by, upstream_provisional, wait_until)
from sipconform.scenario.uas import Call, answers_to, ring
from sipconform.sip import Message, Request, Response, cancel_for, cancel_matches
from sipconform.verdict import Inconclusive

__all__ = ["CancelOutcome", "INVITE_SENT_AGAIN", "after_failed_relay", "after_failed_retransmission",
           "cancel_through_proxy", "cancel_to_uas", "invite_forwarded_again", "invite_sent_again",
           "new_request_evidence", "proxy_control", "uas_control"]

INVITE_SENT_AGAIN = "the INVITE sent again on another connection"


def settle(dut: DutProfile) -> float:
    """How long the DUT is given to see the peer close a connection: 2*T1 of the DUT."""
    return 2 * dut.timers.t1


def attempt_window(dut: DutProfile) -> float:
    """How long the DUT is given to try (and fail) to send a response: 4*T1 of the DUT (a refused connect on
    the peer's host fails at once)."""
    return 4 * dut.timers.t1


def _since(peer: SipPeer, mark: int, match: Callable[[Message], bool]) -> list[Message]:
    records: list[WireRecord] = peer.wire.records[mark:]
    return [r.message for r in records if r.direction == "in" and r.message is not None and match(r.message)]


def _dest(dut: DutProfile) -> tuple[str, int]:
    return dut.host, dut.port


# -- DUT as UAS ------------------------------------------------------------------------------------------------
def _stranded_call(peer: SipPeer, dut: DutProfile) -> Call:
    """Ring the DUT with an INVITE whose sent-by is unreachable, then close its connection."""
    call = ring(peer, dut, edit=unreachable_sent_by(peer))
    peer.close_connections()
    pause(peer, settle(dut))
    return call


def cancel_to_uas(call: Call) -> Response | None:
    """The CANCEL of the call's INVITE on a new connection; its final response, or None if none came."""
    peer = call.peer
    request = cancel_for(call.invite)
    peer.send(request, _dest_of(call))
    wait_until(peer, lambda: any(r.is_final for r in responses_seen(peer, request)), 64 * peer.timers.t1)
    return next((r for r in responses_seen(peer, request) if r.is_final), None)


def _dest_of(call: Call) -> tuple[str, int]:
    return call.peer.source_of(call.responses[0])


def uas_control(peer: SipPeer, dut: DutProfile) -> None:
    """The control call: ringing, its connection closed, nothing more to send: its CANCEL on a new connection
    must get 200, else the clause cannot be told apart from the closed connection (inconclusive)."""
    call = _stranded_call(peer, dut)
    response = cancel_to_uas(call)
    if response is None or response.status != 200:
        got = "no response" if response is None else repr(response.start_line)
        raise Inconclusive(f"control call: once the INVITE's TCP connection closed (no response failing), its "
                           f"CANCEL on a new connection got {got}, not 200 (see RFC3261-28.1-1): a failed send "
                           "cannot be told apart from that")


def invite_sent_again(call: Call, dut: DutProfile) -> list[Response]:
    """Send the INVITE again, unchanged, on another connection than its own (a retransmission, §17.2.3); the
    responses to it that came within the attempt window."""
    peer = call.peer
    mark = len(peer.wire.records)
    peer.send(bytes(call.invite), _dest_of(call))
    pause(peer, attempt_window(dut))
    return [m for m in _since(peer, mark, answers_to(call.invite)) if isinstance(m, Response)]


def after_failed_retransmission(peer: SipPeer, dut: DutProfile) -> Call:
    """The control call, then a ringing call whose 18x retransmission (to the INVITE sent again) cannot be
    delivered: the call in that state. A response on the new connection means no transport error:
    inconclusive."""
    uas_control(peer, dut)
    call = _stranded_call(peer, dut)
    answered = invite_sent_again(call, dut)
    if answered:
        first = answered[0]
        same = first.is_provisional and first.to.tag == call.to_tag
        raise Inconclusive(
            f"the DUT answered {INVITE_SENT_AGAIN} with {first.start_line!r} on that connection "
            + ("(a retransmission of its 18x): it met no transport error" if same else
               f"(To tag {first.to.tag!r}, its 18x had {call.to_tag!r}): it did not take it for a retransmission "
               "(see RFC3261-17.2.3-1), so no response to it could fail"))
    return call


def new_request_evidence(call: Call, answered: list[Response]) -> str | None:
    """What in the responses to the INVITE sent again shows the DUT took it for a new request: a final
    response, or a response with another To tag than the call's; None if nothing does."""
    for response in answered:
        if response.is_final or (response.status > 100 and response.to.tag != call.to_tag):
            return f"{response.start_line!r} with To tag {response.to.tag!r} (the call's 18x had {call.to_tag!r})"
    return None


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
