"""RFC 3261 §17.2.1 ¶2 (RFC3261-17.2.1-1, MUST): "The server transaction MUST generate a 100 (Trying)
response unless it knows that the TU will generate a provisional or final response within 200 ms, in
which case it MAY generate a 100 (Trying) response."

Here: whichever of the two, a response to the INVITE comes within 200 ms; it is what lets the caller
CANCEL (§9.1: no CANCEL before a provisional response).
"""

import pytest

from sipconform.flows.uas import first_response_delay, place
from sipconform.sip.timers import TU_RESPONSE_WINDOW
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-17.2.1-1"), pytest.mark.role("uas")]


def test_invite_gets_a_response_within_200_ms(sip_peer, dut):
    """Stimulus: INVITE to the ringing target. Expectation: its first response (100, 18x or final)
    arrives within 200 ms of the INVITE."""
    call = place(sip_peer, dut)
    with precondition("the DUT responds to the INVITE"):
        first = sip_peer.expect_response(call.invite)
    delay = first_response_delay(call)
    assert delay <= TU_RESPONSE_WINDOW, (
        f"the first response to the INVITE ({first.start_line!r}) came {delay * 1000:.0f} ms after it; "
        f"a 100 (Trying) is due within {TU_RESPONSE_WINDOW * 1000:.0f} ms")
