"""RFC 3261 §17.1.2.2 ¶2 (RFC3261-17.1.2.2-1, SHOULD / MUST): "When entering this state, the client
transaction SHOULD set timer F to fire in 64*T1 seconds.  The request MUST be passed to the transport layer
for transmission.  If an unreliable transport is in use, the client transaction MUST set timer E to fire in
T1 seconds."

Here: the CANCEL's client transaction, the CANCEL never answered. Over UDP Timer E fires at T1 and is reset
to MIN(2*T1, T2) each time (¶3): gaps of T1, 2*T1, 4*T1, ... capped at T2; at Timer F (64*T1) the
retransmissions end. Over TCP (reliable) the CANCEL is sent once. A retransmission off Timer E's schedule
(counted from the first transmission, so that one datagram delayed on the way does not make the next gap
look short) fails; retransmissions that end well before 64*T1 or go on after it break the SHOULD on Timer
F: a warning.
"""

import pytest

from sipconform.flows.arrivals import await_copies, copies, same_request, transmission_times
from sipconform.flows.uac import finish, ring_and_cancel
from sipconform.verdict import precondition, warn
from sipconform.verify.retransmission import schedule_problems

pytestmark = [pytest.mark.clause("RFC3261-17.1.2.2-1"), pytest.mark.role("uac")]


def test_unanswered_cancel_follows_timer_e(sip_peer, upper_tester, sip_timers, sip_transport):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; the peer leaves the CANCEL unanswered.
    Expectation: UDP: three retransmissions, due T1, 3*T1 and 7*T1 after the first transmission (each gap
    capped at T2); TCP: the CANCEL sent once (no retransmission within 4*T1)."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    t1, t2 = sip_timers.t1, sip_timers.t2
    if sip_transport != "udp":  # reliable: no retransmission (§17.1.2.2)
        sip_peer.reactor.run_for(sip_timers.immediately)
        count = len(copies(sip_peer, same_request(cancel)))
        finish(call, cancel)
        assert count == 1, (f"the CANCEL was sent {count} times over {sip_transport.upper()} "
                            "(a reliable transport: no Timer E)")
        return
    due = sip_timers.transmissions(4, cap=t2)
    window = sip_timers.tolerance(due)
    seen = await_copies(sip_peer, same_request(cancel), 4, window)
    times = transmission_times(sip_peer, cancel)
    finish(call, cancel)
    assert len(seen) >= 4, (f"the unanswered CANCEL was retransmitted {len(seen) - 1} time(s) within "
                            f"{window:.3g} s over UDP; Timer E calls for three by {due:.3g} s")
    problems = schedule_problems(times, sip_timers.non_invite_intervals(3), sip_timers,
                                 f"Timer E (T1={t1:g} s, T2={t2:g} s)")
    assert not problems, "; ".join(problems)


@pytest.mark.slow
@pytest.mark.transport("udp")
def test_unanswered_cancel_retransmitted_until_timer_f(sip_peer, upper_tester, sip_timers):
    """Stimulus: as above; the peer watches for 64*T1 + T2 + 4*T1. Expectation: every retransmission when
    Timer E has it due (gaps doubling, capped at T2); the last retransmission within T2 before Timer F
    (64*T1 after the first transmission) and none after it."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    t1, t2, f = sip_timers.t1, sip_timers.t2, sip_timers.f
    sip_peer.reactor.run_for(f + t2 + sip_timers.immediately)
    times = transmission_times(sip_peer, cancel)
    finish(call, cancel)
    problems = schedule_problems(times, sip_timers.non_invite_intervals(len(times) - 1), sip_timers,
                                 f"Timer E (T1={t1:g} s, T2={t2:g} s)")
    assert not problems, "; ".join(problems)
    last = times[-1] - times[0]
    if last > f + t1:
        warn(f"the CANCEL was still retransmitted {last:.3f} s after its first transmission, after Timer F "
             f"({f:.3g} s = 64*T1) should have ended its transaction")
    if last < f - t2 - t1:
        warn(f"the CANCEL's retransmissions ended {last:.3f} s after its first transmission, before Timer F "
             f"({f:.3g} s = 64*T1)")
