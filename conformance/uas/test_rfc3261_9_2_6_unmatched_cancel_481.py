"""RFC 3261 §9.2 ¶4 (RFC3261-9.2-6, SHOULD): "If the UAS did not find a matching transaction for the
CANCEL according to the procedure above, it SHOULD respond to the CANCEL with a 481 (Call Leg/Transaction
Does Not Exist)."
"""

import pytest

from sipconform.scenario.uas import ring
from sipconform.scenario.variants import cancel_with_other_branch, cancel_with_other_sent_by, cancel_for_no_call

pytestmark = [pytest.mark.clause("RFC3261-9.2-6"), pytest.mark.role("uas")]


def test_cancel_for_an_unknown_call_gets_481(sip_peer, dut):
    """Stimulus: a CANCEL for an INVITE the DUT never saw (fresh Call-ID, tags and branch).
    Expectation: 481."""
    request = cancel_for_no_call(sip_peer, dut)
    sip_peer.send(request)
    response = sip_peer.expect_response(request, final=True)
    assert response.status == 481, f"an unmatched CANCEL was answered {response.start_line!r}, not 481"


@pytest.mark.parametrize("variant", [cancel_with_other_branch, cancel_with_other_sent_by],
                         ids=["other-branch", "other-sent-by"])
def test_cancel_not_matching_the_ringing_invite_gets_481(sip_peer, dut, variant):
    """Stimulus: INVITE; the DUT rings; a CANCEL equal to the right one except for the top Via's branch
    (or sent-by), which §17.2.3 matches on. Expectation: 481."""
    call = ring(sip_peer, dut)
    request = variant(call)
    sip_peer.send(request)
    response = sip_peer.expect_response(request, final=True)
    assert response.status == 481, f"a CANCEL matching no transaction was answered {response.start_line!r}, not 481"
