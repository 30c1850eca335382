"""RFC 3261 §9.1 ¶3 (RFC3261-9.1-4, MUST): "However, the method part of the CSeq header field MUST have a
value of CANCEL."

Methods are case-sensitive (§7.1): "cancel" is not CANCEL.
"""

import pytest

from sipconform.flows.uac import finish, ring_and_cancel
from sipconform.verdict import precondition
from sipconform.verify.cancel_request import cseq_method_is_cancel

pytestmark = [pytest.mark.clause("RFC3261-9.1-4"), pytest.mark.role("uac")]


def test_cancel_cseq_method_is_cancel(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; the peer rings (180); the DUT hangs up.
    Expectation: the method of the CANCEL's CSeq is "CANCEL", exactly (its number is RFC3261-9.1-2's)."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    finish(call, cancel)
    assert not (problems := cseq_method_is_cancel(cancel)), "; ".join(problems)
