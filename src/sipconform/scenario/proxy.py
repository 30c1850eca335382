"""Re-exports for code not yet moved to ``sipconform.flows.proxy`` / ``sipconform.verify`` (removed at merge).

``reach_branches`` / ``upstream_provisional`` keep their old precondition for ``scenario.transport_error``;
``pause``, ``wait_until``, ``quiet_window``, ``timer_e_reaches_t2`` are the old spellings of peer/timer API."""

from __future__ import annotations

from collections.abc import Callable

from sipconform.dut.profile import DutProfile
from sipconform.flows import proxy as _flows
from sipconform.flows.proxy import (LEGS, MARK, Branch, ProxiedCall, downstream, end_branch, place_call, provisional,
                                    relayed, requests_seen, responses_seen, unreachable_sent_by)
from sipconform.peer import SipPeer
from sipconform.sip import Response, Timers
from sipconform.verdict import precondition
from sipconform.verify.proxy_reason import reason_values

__all__ = ["LEGS", "MARK", "Branch", "ProxiedCall", "downstream", "end_branch", "pause", "place_call", "provisional",
           "quiet_window", "reach_branches", "reason_values", "relayed", "requests_seen", "responses_seen",
           "timer_e_reaches_t2", "unreachable_sent_by", "upstream_provisional", "wait_until"]


def reach_branches(call: ProxiedCall, within: float | None = None) -> None:
    with precondition("the DUT forwards the INVITE"):
        _flows.reach_branches(call, within)


def upstream_provisional(call: ProxiedCall, *, relayed_from: Branch | None = None) -> Response:
    with precondition("the UAC receives a provisional response through the DUT"):
        return _flows.await_provisional(call, relayed_from=relayed_from)


def quiet_window(dut: DutProfile) -> float:
    return dut.timers.quiet


def wait_until(peer: SipPeer, condition: Callable[[], bool], within: float) -> bool:
    return peer.wait_until(condition, within)


def pause(peer: SipPeer, seconds: float) -> None:
    peer.reactor.run_for(seconds)


def timer_e_reaches_t2(timers: Timers) -> float:
    return timers.timer_e_reaches_t2
