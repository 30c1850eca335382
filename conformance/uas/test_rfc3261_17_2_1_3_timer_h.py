"""RFC 3261 §17.2.1 ¶7 (RFC3261-17.2.1-3, MUST): "When the "Completed" state is entered, timer H MUST be
set to fire in 64*T1 seconds for all transports. ... If timer H fires while in the "Completed" state, it
implies that the ACK was never received. In this case, the server transaction MUST transition to the
"Terminated" state".

Here: the 487 of a cancelled INVITE, never ACKed, over UDP: its Timer G retransmissions stop by 64*T1.
"""

import pytest

from sipconform.flows.uas import await_final, cancelled, is_final_to, ring
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3261-17.2.1-3"), pytest.mark.role("uas"), pytest.mark.transport("udp"),
              pytest.mark.slow]


def test_unacked_487_retransmissions_stop_at_timer_h(sip_peer, dut, sip_timers):
    """Stimulus: INVITE; the DUT rings; CANCEL; the 487 is never ACKed.
    Expectation: copies of it arrive until at most 64*T1 after the first (plus T1), none in the 2*T2
    that follow."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut, auto_ack=False)
    with precondition("the DUT answers the CANCEL and ends the INVITE at once (RFC3261-9.2-10, RFC3261-9.2-8)"):
        cancelled(call, within=sip_timers.tolerance(sip_timers.immediately))
        final = await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
    copies = lambda: [r.time for r in sip_peer.arrivals(  # noqa: E731
        lambda m: is_final_to(call.invite)(m) and m.status == final.status)]
    first = copies()[0]
    horizon = first + sip_timers.h + sip_timers.t1
    sip_peer.reactor.run_for(max(0.0, horizon - sip_peer.reactor.elapsed()) + 2 * sip_timers.t2)
    if len(copies()) < 2:
        inconclusive(f"the {final.status} was never retransmitted (see RFC3261-17.2.1-2)")
    late = [t - first for t in copies() if t > horizon]
    assert not late, (f"the {final.status} was still retransmitted {late[-1]:.2f} s after the first copy, past "
                      f"Timer H (64*T1 = {sip_timers.h:.3g} s)")
