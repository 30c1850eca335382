"""RFC 3261 §21.4.25 (RFC3261-21.4.25-1, MUST NOT): "The request was terminated by a BYE or CANCEL
request. This response is never returned for a CANCEL request itself."
"""

import pytest

from sipconform.flows.uas import cancel, ring
from sipconform.flows.variants import cancel_for_no_call
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-21.4.25-1"), pytest.mark.role("uas")]


def test_matched_cancel_is_not_answered_487(sip_peer, dut):
    """Stimulus: INVITE; the DUT rings; CANCEL. Expectation: the CANCEL's final response is not 487."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    response = sip_peer.expect_response(cancel(call), final=True)
    assert response.status != 487, "the CANCEL itself was answered 487"


def test_unmatched_cancel_is_not_answered_487(sip_peer, dut):
    """Stimulus: a CANCEL matching nothing. Expectation: its final response is not 487."""
    request = cancel_for_no_call(sip_peer, dut)
    sip_peer.send(request)
    response = sip_peer.expect_response(request, final=True)
    assert response.status != 487, "a CANCEL that matched nothing was answered 487"
