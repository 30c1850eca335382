"""RFC 3261 §17.1.2.2 ¶2 (RFC3261-17.1.2.2-1, SHOULD / MUST): "When entering this state, the client transaction
SHOULD set timer F to fire in 64*T1 seconds.  The request MUST be passed to the transport layer for
transmission.  If an unreliable transport is in use, the client transaction MUST set timer E to fire in T1
seconds."  (¶3: "If timer E fires while still in this state, the timer is reset, but this time with a value
of MIN(2*T1, T2).")

Here: the client transaction of the CANCEL the proxy sends down a branch that never answers it.
Stimulus: INVITE through the DUT; the branch rings; the UAC cancels; the branch ignores the DUT's CANCEL.
Expectation: over UDP the CANCEL is retransmitted after T1, 2*T1, 4*T1 ... each gap doubling until it is T2,
then every T2 (the DUT's T1 and T2, within -50 % / +50 % and 0.1 s); over TCP it is sent once. SHOULD: no copy after
Timer F (64*T1).
"""

import pytest

from sipconform.flows.proxy import (await_ack, await_cancel, cancel_upstream, downstream, end_branch, requests_seen,
                                    ringing)
from sipconform.verdict import precondition, warn

pytestmark = [pytest.mark.clause("RFC3261-17.1.2.2-1"), pytest.mark.role("proxy"), pytest.mark.slow]


def unanswered_cancel(sip_peer, sip_peer_factory, dut):
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel_upstream(call)
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        return call, branch, await_cancel(branch)


def test_unanswered_cancel_follows_timer_e(sip_peer, sip_peer_factory, dut):
    """Stimulus: the branch never answers the DUT's CANCEL. Expectation: UDP: copies until two gaps of T2 were
    seen, each gap the Timer E interval; TCP: one CANCEL in 10*T1. Then the branch answers 200 and 487."""
    call, branch, cancel = unanswered_cancel(sip_peer, sip_peer_factory, dut)
    t1, t2 = dut.timers.t1, dut.timers.t2

    def seen():
        return requests_seen(branch.peer, "CANCEL", call.invite.call_id)

    if branch.peer.transport == "udp":
        want = list(dut.timers.non_invite_retransmits())
        want = want[:want.index(t2) + 2]  # up to T2, then one T2 more: the cap shows
        window = dut.timers.tolerance(sum(want))
        branch.peer.wait_until(lambda: len(seen()) > len(want), window)
        times = [r.time for r in seen()]
        for n, (earlier, later, gap) in enumerate(zip(times, times[1:], want, strict=False), start=1):
            assert 0.5 * gap <= later - earlier <= 1.5 * gap + 0.1, (
                f"CANCEL retransmission {n} came {later - earlier:.3f} s after the previous copy; Timer E is "
                f"{gap:g} s there (T1 = {t1:g} s doubling, capped at T2 = {t2:g} s)")
        assert len(times) > len(want), (f"the unanswered CANCEL was sent {len(times)} time(s) in {window:.2f} s over "
                                        f"UDP; Timer E (T1 = {t1:g} s, T2 = {t2:g} s) sends {len(want) + 1}")
    else:
        branch.peer.reactor.run_for(dut.timers.quiet)
        assert len(seen()) == 1, f"the CANCEL was sent {len(seen())} times over TCP (no retransmission on TCP)"
    end_branch(branch, cancel)
    with precondition(f"the DUT ACKs {branch.name}'s final response (RFC3261-17.1.1.2-1)"):
        await_ack(call, branch)


@pytest.mark.transport("udp")
def test_unanswered_cancel_ends_at_timer_f(sip_peer, sip_peer_factory, dut):
    """Stimulus: the branch never answers the DUT's CANCEL, for 64*T1 and 4*T2 more. Expectation (SHOULD): no
    CANCEL copy later than Timer F (64*T1, +10 % and T2 of slack)."""
    call, branch, cancel = unanswered_cancel(sip_peer, sip_peer_factory, dut)
    timers = dut.timers
    branch.peer.reactor.run_for(timers.f + 4 * timers.t2)
    copies = requests_seen(branch.peer, "CANCEL", call.invite.call_id)
    last = copies[-1].time - copies[0].time
    if last > timers.f * 1.1 + timers.t2:
        warn(f"the DUT still retransmitted its CANCEL {last:.2f} s after sending it; Timer F (64*T1 = "
             f"{timers.f:g} s) should have ended its client transaction")
