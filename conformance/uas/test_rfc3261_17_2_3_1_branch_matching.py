"""RFC 3261 §17.2.3 (RFC3261-17.2.3-1, MUST): "The request matches a transaction if: 1. the branch
parameter in the request is equal to the one in the top Via header field of the request that created
the transaction, and 2. the sent-by value in the top Via of the request is equal to the one in the
request that created the transaction, and 3. the method of the request matches the one that created
the transaction, except for ACK ..." — applied to CANCEL by §9.2 ¶1.

Here: a CANCEL whose branch differs must not cancel the ringing INVITE; the right CANCEL then must.
What the stray CANCEL is answered is RFC3261-9.2-6's business (481 SHOULD): a 200 that cancels nothing
breaks that SHOULD, not this clause.
"""

import pytest

from sipconform.flows.uas import await_final, cancel, ring, stray_cancel
from sipconform.flows.variants import cancel_with_other_branch
from sipconform.verdict import precondition
from sipconform.verify.cancel import stray_cancel_problems

pytestmark = [pytest.mark.clause("RFC3261-17.2.3-1"), pytest.mark.role("uas")]


def test_cancel_with_another_branch_cancels_nothing(sip_peer, dut, sip_timers):
    """Stimulus: INVITE; the DUT rings; a CANCEL with another branch; then the right CANCEL.
    Expectation: the first CANCEL is answered and the INVITE stays pending (no final response within
    4*T1); the second CANCEL ends it."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    answer, ended = stray_cancel(call, cancel_with_other_branch(call), watch=sip_timers.immediately)
    problems = stray_cancel_problems("a CANCEL with a branch no transaction has", answer, ended)
    assert not problems, problems[0]
    cancel(call)
    with precondition("the matching CANCEL ends the INVITE at once (RFC3261-9.2-8)"):
        final = await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
    assert final.status >= 300, f"the INVITE was answered {final.start_line!r} after the matching CANCEL"
