"""RFC 3261 §9.1 ¶3 (RFC3261-9.1-4, MUST): "However, the method part of the CSeq header field MUST have a
value of CANCEL."

Methods are case-sensitive (§7.1): "cancel" is not CANCEL.
"""

import pytest

from sipconform.scenario.uac import cancelled, finish

pytestmark = [pytest.mark.clause("RFC3261-9.1-4"), pytest.mark.role("uac")]


def test_cancel_cseq_method_is_cancel(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; the peer rings (180); the DUT hangs up.
    Expectation: the CANCEL's CSeq is the INVITE's number with the method "CANCEL", exactly."""
    call, cancel = cancelled(sip_peer, upper_tester)
    finish(call, cancel)
    expected = f"{call.invite.cseq.number} CANCEL"
    assert (cancel.cseq.number, cancel.cseq.method) == (call.invite.cseq.number, "CANCEL"), (
        f"CSeq {cancel.header('cseq')!r}, expected {expected!r}")
