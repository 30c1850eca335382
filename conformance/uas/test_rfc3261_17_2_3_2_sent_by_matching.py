"""RFC 3261 §17.2.3 (RFC3261-17.2.3-2): "The sent-by value is used as part of the matching process
because there could be accidental or malicious duplication of branch parameters from different
clients."

Here: a CANCEL with the INVITE's branch but another sent-by must not cancel the ringing INVITE. What
that CANCEL is answered is RFC3261-9.2-6's business (481 SHOULD): a 200 that cancels nothing breaks that
SHOULD, not this clause.
"""

import pytest

from sipconform.scenario.uas import ring
from sipconform.scenario.variants import cancel_with_other_sent_by, stray_cancel_verdict

pytestmark = [pytest.mark.clause("RFC3261-17.2.3-2", level="MUST"), pytest.mark.role("uas")]


def test_cancel_from_another_sent_by_cancels_nothing(sip_peer, dut, sip_timers):
    """Stimulus: INVITE; the DUT rings; a CANCEL with the same branch but another sent-by; then the
    right CANCEL. Expectation: the first is answered and the INVITE stays pending (no final response
    within 4*T1); the second CANCEL ends it."""
    call = ring(sip_peer, dut)
    stray_cancel_verdict(call, cancel_with_other_sent_by(call), sip_timers,
                         "a CANCEL with the INVITE's branch but another sent-by")
