"""RFC 4320 §4.1 (RFC4320-4.1-1, MUST NOT): "An SIP element MUST NOT send any provisional response with a
Status-Code other than 100 to a non-INVITE request."

Here: the non-INVITE request is a CANCEL.
"""

import pytest

from sipconform.flows.uas import cancel, ring
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC4320-4.1-1"), pytest.mark.role("uas")]


def test_cancel_gets_no_1xx_but_100(sip_peer, dut):
    """Stimulus: INVITE; the DUT rings; CANCEL. Expectation: every response to the CANCEL before its final
    one is a 100."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    request = cancel(call)
    while (response := sip_peer.expect_response(request)).is_provisional:
        assert response.status == 100, f"the CANCEL got the provisional {response.start_line!r}"
