"""RFC 3261 §13.1 ¶4 (RFC3261-13.1-1, MUST): "A UA that supports INVITE MUST also support ACK, CANCEL
and BYE."
"""

import pytest

from sipconform.flows.uas import cancel, ring
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-13.1-1"), pytest.mark.role("uas")]


def test_cancel_is_not_refused_as_unknown(sip_peer, dut):
    """Stimulus: INVITE; the DUT rings; CANCEL. Expectation: the CANCEL is not answered 405 (Method Not
    Allowed) or 501 (Not Implemented)."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    response = sip_peer.expect_response(cancel(call), final=True)
    assert response.status not in (405, 501), f"a UA that takes INVITE refused CANCEL: {response.start_line!r}"
