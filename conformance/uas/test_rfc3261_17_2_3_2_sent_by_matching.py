"""RFC 3261 §17.2.3 (RFC3261-17.2.3-2): "The sent-by value is used as part of the matching process
because there could be accidental or malicious duplication of branch parameters from different
clients."

Here: a CANCEL with the INVITE's branch but another sent-by must not cancel the ringing INVITE. What
that CANCEL is answered is RFC3261-9.2-6's business (481 SHOULD): a 200 that cancels nothing breaks that
SHOULD, not this clause.
"""

import pytest

from sipconform.flows.uas import await_final, cancel, ring, stray_cancel
from sipconform.flows.variants import cancel_with_other_sent_by
from sipconform.verdict import precondition
from sipconform.verify.cancel import stray_cancel_problems

pytestmark = [pytest.mark.clause("RFC3261-17.2.3-2", level="MUST"), pytest.mark.role("uas")]


def test_cancel_from_another_sent_by_cancels_nothing(sip_peer, dut, sip_timers):
    """Stimulus: INVITE; the DUT rings; a CANCEL with the same branch but another sent-by; then the
    right CANCEL. Expectation: the first is answered and the INVITE stays pending (no final response
    within 4*T1); the second CANCEL ends it."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    answer, ended = stray_cancel(call, cancel_with_other_sent_by(call), watch=sip_timers.immediately)
    problems = stray_cancel_problems("a CANCEL with the INVITE's branch but another sent-by", answer, ended)
    assert not problems, problems[0]
    cancel(call)
    with precondition("the matching CANCEL ends the INVITE at once (RFC3261-9.2-8)"):
        final = await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
    assert final.status >= 300, f"the INVITE was answered {final.start_line!r} after the matching CANCEL"
