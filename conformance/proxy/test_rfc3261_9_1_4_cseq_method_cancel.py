"""RFC 3261 §9.1 ¶3 (RFC3261-9.1-4, MUST): "However, the method part of the CSeq header field MUST have a
value of CANCEL."
"""

import pytest

from sipconform.flows.proxy import cancel_upstream, downstream, end_branch, ringing
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-9.1-4"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("branches", [1, 2], ids=["one-branch", "two-branches"])
def test_cancel_cseq_method_is_cancel(sip_peer, sip_peer_factory, dut, branches):
    """Stimulus: INVITE through the DUT to 1 or 2 ringing branches; the UAC sends CANCEL. Expectation: the
    CSeq of each branch's CANCEL is the INVITE's number with the method token exactly ``CANCEL``."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, branches))
    cancel_upstream(call)
    for branch in call.branches:
        call_id = branch.invite.call_id
        cancel = branch.peer.expect_request(where=lambda r: r.call_id == call_id and r.method.upper() == "CANCEL")
        assert cancel.cseq.method == "CANCEL", f"{branch.name}'s CANCEL has CSeq {cancel.cseq}, method not 'CANCEL'"
        assert cancel.cseq.number == branch.invite.cseq.number, (
            f"{branch.name}'s CANCEL has CSeq {cancel.cseq}; the INVITE had {branch.invite.cseq}")
        end_branch(branch, cancel)
