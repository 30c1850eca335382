"""RFC 3326 §2 (RFC3326-2-5, MAY): "An implementation is free to ignore Reason values that it does not
understand." — so a CANCEL with a Reason header field, known or not, is still a CANCEL (RFC 3326 §2 ¶1:
"The Reason header field MAY appear in ... any CANCEL request").
"""

import pytest

from sipconform.flows.uas import CancelControl, await_final, cancel, ring
from sipconform.verdict import precondition
from sipconform.verify.cancel import cancel_answered_200

pytestmark = [pytest.mark.clause("RFC3326-2-5", level="MUST"), pytest.mark.role("uas")]


@pytest.mark.parametrize("reason", ['SIP ;cause=200 ;text="Call completed elsewhere"',
                                    'X-SIPCONFORM ;cause=99 ;text="unknown protocol"'],
                         ids=["sip-cause", "unknown-protocol"])
def test_cancel_with_reason_still_cancels(sip_peer, dut, sip_timers, reason):
    """Stimulus: INVITE; the DUT rings; CANCEL with a Reason header field.
    Expectation: the CANCEL is answered 200 and the INVITE ends with a non-2xx final response (refused
    while a plain CANCEL is refused too: inconclusive)."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    response = sip_peer.expect_response(cancel(call, extra=(("Reason", reason),)), final=True)
    if response.status != 200:
        with precondition("a plain CANCEL gets 200 (RFC3261-9.2-10), so the refusal is the variant's doing"):
            assert not (refused := cancel_answered_200(CancelControl(sip_peer, dut).plain_answer())), refused[0]
    assert response.status == 200, f"a CANCEL with Reason: {reason} got {response.start_line!r}"
    with precondition("the cancelled INVITE ends at once (RFC3261-9.2-8)"):
        final = await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
    assert final.status >= 300, f"the INVITE was answered {final.start_line!r} after a CANCEL with Reason"
