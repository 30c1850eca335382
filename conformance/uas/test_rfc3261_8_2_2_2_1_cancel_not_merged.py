"""RFC 3261 §8.2.2.2 ¶1 (RFC3261-8.2.2.2-1): "If the From tag, Call-ID, and CSeq exactly match those
associated with an ongoing transaction, but the request does not match that transaction (based on the
matching rules in Section 17.2.3), the UAS core SHOULD generate a 482 (Loop Detected) response".

A CANCEL shares the From tag, Call-ID and CSeq number of the INVITE it cancels, but not the CSeq method:
it is never a merged request, so it must never get 482.
"""

import pytest

from sipconform.flows.uas import cancel, ring
from sipconform.flows.variants import cancel_with_other_branch
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-8.2.2.2-1"), pytest.mark.role("uas")]


def _not_482(response, what):
    assert response.status != 482, f"{what} was taken for a merged request: {response.start_line!r}"


def test_matching_cancel_is_not_a_merged_request(sip_peer, dut):
    """Stimulus: INVITE; the DUT rings; its CANCEL. Expectation: the CANCEL is not answered 482."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    request = cancel(call)
    _not_482(sip_peer.expect_response(request, final=True), "the CANCEL")


def test_cancel_with_other_branch_is_not_a_merged_request(sip_peer, dut):
    """Stimulus: INVITE; the DUT rings; a CANCEL with the INVITE's From tag, Call-ID and CSeq number but
    another branch (it matches no transaction). Expectation: not 482 (481 is RFC3261-9.2-6's concern)."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    request = cancel_with_other_branch(call)
    sip_peer.send(request)
    _not_482(sip_peer.expect_response(request, final=True), "a CANCEL with another branch")
