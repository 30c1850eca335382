"""RFC 3261 §17.2.1 (RFC3261-17.2.1-2, MUST): "While in the "Proceeding" state, if the TU passes a
response with status code from 300 to 699 to the server transaction, the response MUST be passed to the
transport layer for transmission, and the state machine MUST enter the "Completed" state. For unreliable
transports, timer G is set to fire in T1 seconds ... If timer G fires, the response is passed to the
transport layer once more for retransmission, and timer G is set to fire in MIN(2*T1, T2) seconds."

Here: the 487 of a cancelled INVITE, never ACKed, over UDP.
"""

from itertools import islice

import pytest

from sipconform.flows.uas import await_final, cancelled, is_final_to, ring
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-17.2.1-2"), pytest.mark.role("uas"), pytest.mark.transport("udp")]


def test_unacked_487_is_retransmitted(sip_peer, dut, sip_timers):
    """Stimulus: INVITE; the DUT rings; CANCEL; the peer does not ACK the final response.
    Expectation: the final response is sent again at Timer G (T1, then 2*T1, capped at T2): at least two
    copies more within T1 + 2*T1 + 4*T1 (capped at T2) after the first."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut, auto_ack=False)
    with precondition("the DUT answers the CANCEL and ends the INVITE at once (RFC3261-9.2-10, RFC3261-9.2-8)"):
        cancelled(call, within=sip_timers.tolerance(sip_timers.immediately))
        final = await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
    copies = lambda: sip_peer.arrivals(lambda m: is_final_to(call.invite)(m) and m.status == final.status)  # noqa: E731
    window = sum(islice(sip_timers.response_retransmits(), 3)) + sip_timers.g
    sip_peer.wait_until(lambda: len(copies()) >= 3, within=window)
    assert len(copies()) >= 3, (
        f"the {final.status} was sent {len(copies())} time(s) in {window:.2f} s without an ACK; "
        "Timer G should have retransmitted it at T1 and 2*T1")
