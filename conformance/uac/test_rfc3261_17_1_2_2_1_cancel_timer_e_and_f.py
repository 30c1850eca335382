"""RFC 3261 §17.1.2.2 ¶2 (RFC3261-17.1.2.2-1, SHOULD / MUST): "When entering this state, the client
transaction SHOULD set timer F to fire in 64*T1 seconds.  The request MUST be passed to the transport layer
for transmission.  If an unreliable transport is in use, the client transaction MUST set timer E to fire in
T1 seconds."

Here: the CANCEL's client transaction, the CANCEL never answered. Over UDP Timer E fires at T1 and is reset
to MIN(2*T1, T2) each time (¶3): gaps of T1, 2*T1, 4*T1, ... capped at T2; at Timer F (64*T1) the
retransmissions end. Over TCP (reliable) the CANCEL is sent once. A wrong Timer E gap fails; retransmissions
that end well before 64*T1 or go on after it break the SHOULD on Timer F: a warning.
"""

import pytest

from sipconform.scenario.uac import await_copies, cancelled, copies, finish, same_request, transmission_times
from sipconform.verdict import warn
from sipconform.verify_uac import interval_problems, timer_e_intervals

pytestmark = [pytest.mark.clause("RFC3261-17.1.2.2-1"), pytest.mark.role("uac")]


def test_unanswered_cancel_follows_timer_e(sip_peer, upper_tester, sip_timers, sip_transport):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; the peer leaves the CANCEL unanswered.
    Expectation: UDP: three retransmissions, T1, 2*T1 and 4*T1 apart (each capped at T2); TCP: the CANCEL
    sent once (no retransmission within 4*T1)."""
    call, cancel = cancelled(sip_peer, upper_tester)
    t1, t2 = sip_timers.t1, sip_timers.t2
    if sip_transport != "udp":  # reliable: no retransmission (§17.1.2.2)
        sip_peer.reactor.run_for(4 * t1)
        count = len(copies(sip_peer, same_request(cancel)))
        finish(call, cancel)
        assert count == 1, f"the CANCEL was sent {count} times over TCP (a reliable transport: no Timer E)"
        return
    expected = timer_e_intervals(t1, t2, 3)
    seen = await_copies(sip_peer, same_request(cancel), 4, 1.6 * sum(expected) + t1)
    times = transmission_times(sip_peer, cancel)
    finish(call, cancel)
    assert len(seen) >= 4, (f"the unanswered CANCEL was retransmitted {len(seen) - 1} time(s) within "
                            f"{1.6 * sum(expected) + t1:.3g} s over UDP; Timer E calls for three by "
                            f"{sum(expected):.3g} s")
    problems = interval_problems(times, expected, t1, f"Timer E (T1={t1:g} s, T2={t2:g} s)")
    assert not problems, "; ".join(problems)


@pytest.mark.slow
@pytest.mark.transport("udp")
def test_unanswered_cancel_retransmitted_until_timer_f(sip_peer, upper_tester, sip_timers):
    """Stimulus: as above; the peer watches for 64*T1 + T2 + 4*T1. Expectation: every gap as Timer E says
    (capped at T2); the last retransmission within T2 before Timer F (64*T1 after the first transmission)
    and none after it."""
    call, cancel = cancelled(sip_peer, upper_tester)
    t1, t2, f = sip_timers.t1, sip_timers.t2, sip_timers.f
    sip_peer.reactor.run_for(f + t2 + 4 * t1)
    times = transmission_times(sip_peer, cancel)
    finish(call, cancel)
    problems = interval_problems(times, timer_e_intervals(t1, t2, len(times)), t1,
                                 f"Timer E (T1={t1:g} s, T2={t2:g} s)")
    assert not problems, "; ".join(problems)
    last = times[-1] - times[0]
    if last > f + t1:
        warn(f"the CANCEL was still retransmitted {last:.3f} s after its first transmission, after Timer F "
             f"({f:.3g} s = 64*T1) should have ended its transaction")
    if last < f - t2 - t1:
        warn(f"the CANCEL's retransmissions ended {last:.3f} s after its first transmission, before Timer F "
             f"({f:.3g} s = 64*T1)")
