"""RFC 3326 §2 (RFC3326-2-5, MAY): "An implementation is free to ignore Reason values that it does not
understand." — so a CANCEL with a Reason header field, known or not, is still a CANCEL (RFC 3326 §2 ¶1:
"The Reason header field MAY appear in ... any CANCEL request").
"""

import pytest

from sipconform.scenario.uas import assert_cancel_accepted, cancel, final_response, ring

pytestmark = [pytest.mark.clause("RFC3326-2-5", level="MUST"), pytest.mark.role("uas")]


@pytest.mark.parametrize("reason", ['SIP ;cause=200 ;text="Call completed elsewhere"',
                                    'X-SIPCONFORM ;cause=99 ;text="unknown protocol"'],
                         ids=["sip-cause", "unknown-protocol"])
def test_cancel_with_reason_still_cancels(sip_peer, dut, reason):
    """Stimulus: INVITE; the DUT rings; CANCEL with a Reason header field.
    Expectation: the CANCEL is answered 200 and the INVITE ends with a non-2xx final response (refused
    while a plain CANCEL is refused too: inconclusive)."""
    call = ring(sip_peer, dut)
    response = sip_peer.expect_response(cancel(call, extra=(("Reason", reason),)), final=True)
    assert_cancel_accepted(sip_peer, dut, response, "the Reason header field",
                           f"a CANCEL with Reason: {reason} got {response.start_line!r}")
    final = final_response(call)
    assert final.status >= 300, f"the INVITE was answered {final.start_line!r} after a CANCEL with Reason"
