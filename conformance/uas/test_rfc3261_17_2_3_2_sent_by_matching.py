"""RFC 3261 §17.2.3 (RFC3261-17.2.3-2): "The sent-by value is used as part of the matching process
because there could be accidental or malicious duplication of branch parameters from different
clients."

Here: a CANCEL with the INVITE's branch but another sent-by must not cancel the ringing INVITE.
"""

import pytest

from sipconform.scenario.uas import cancel, final_response, is_final_to, ring
from sipconform.scenario.variants import cancel_with_other_sent_by

pytestmark = [pytest.mark.clause("RFC3261-17.2.3-2", level="MUST"), pytest.mark.role("uas")]


def test_cancel_from_another_sent_by_cancels_nothing(sip_peer, dut, sip_timers):
    """Stimulus: INVITE; the DUT rings; a CANCEL with the same branch but another sent-by; then the
    right CANCEL. Expectation: the first is not answered 200 and the INVITE stays pending (no final
    response within 4*T1); the second CANCEL ends it."""
    call = ring(sip_peer, dut)
    stray = cancel_with_other_sent_by(call)
    sip_peer.send(stray)
    response = sip_peer.expect_response(stray, final=True)
    assert response.status != 200, "a CANCEL from another sent-by was answered 200 (it 'matched' on branch alone)"
    sip_peer.expect_nothing(4 * sip_timers.t1, where=is_final_to(call.invite))
    cancel(call)
    final = final_response(call)
    assert final.status >= 300, f"the INVITE was answered {final.start_line!r} after the matching CANCEL"
