"""RFC 3261 §9.2 ¶5 (RFC3261-9.2-10, MUST): "Regardless of the method of the original request, as long
as the CANCEL matched an existing transaction, the UAS answers the CANCEL request itself with a 200 (OK)
response."
"""

import pytest

from sipconform.flows.uas import cancel, ring
from sipconform.verdict import precondition
from sipconform.verify.cancel import cancel_answered_200

pytestmark = [pytest.mark.clause("RFC3261-9.2-10"), pytest.mark.role("uas")]


@pytest.mark.parametrize("compact", [False, True], ids=["long-names", "compact-names"])
def test_matched_cancel_gets_200(sip_peer, dut, compact):
    """Stimulus: INVITE, the DUT rings, then the §9.1 CANCEL of that INVITE.
    Expectation: the final response to the CANCEL is 200. (How the 200 is built, its CSeq among the rest, is
    RFC3261-9.2-11 and RFC3261-8.2.6.2-1.)"""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut, compact=compact)
    request = cancel(call)
    response = sip_peer.expect_response(request, final=True)
    assert not (problems := cancel_answered_200(response)), problems[0]
