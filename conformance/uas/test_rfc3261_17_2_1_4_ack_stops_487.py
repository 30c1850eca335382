"""RFC 3261 §17.2.1 (RFC3261-17.2.1-4, MUST): "If an ACK is received while the server transaction is in
the "Completed" state, the server transaction MUST transition to the "Confirmed" state." — where Timer G
no longer fires, so the final response is no longer retransmitted.
"""

import pytest

from sipconform.flows.uas import await_final, cancelled, is_final_to, ring
from sipconform.sip import ack_for_non2xx
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-17.2.1-4"), pytest.mark.role("uas"), pytest.mark.transport("udp")]


def test_ack_stops_the_487_retransmissions(sip_peer, dut, sip_timers):
    """Stimulus: INVITE; the DUT rings; CANCEL; the peer ACKs the final response (§17.1.1.3).
    Expectation: no copy of the final response arrives later than T1 after the ACK, for 4*T1 + T2."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut, auto_ack=False)
    with precondition("the DUT answers the CANCEL and ends the INVITE at once (RFC3261-9.2-10, RFC3261-9.2-8)"):
        cancelled(call, within=sip_timers.tolerance(sip_timers.immediately))
        final = await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
    sip_peer.send(ack_for_non2xx(call.invite, final), sip_peer.source_of(final))
    acked_at = sip_peer.wire.records[-1].time
    late = lambda: [r for r in sip_peer.arrivals(lambda m: is_final_to(call.invite)(m))  # noqa: E731
                    if r.time > acked_at + sip_timers.g]
    sip_peer.wait_until(lambda: bool(late()), within=sip_timers.immediately + sip_timers.t2)
    assert not late(), (f"the {final.status} was retransmitted {len(late())} time(s) after the ACK, "
                        f"first at +{late()[0].time - acked_at:.3f} s")
