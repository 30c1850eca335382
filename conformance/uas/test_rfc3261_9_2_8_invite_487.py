"""RFC 3261 §9.2 ¶4 (RFC3261-9.2-8, SHOULD): "If the original request was an INVITE, the UAS SHOULD
immediately respond to the INVITE with a 487 (Request Terminated)."
"""

import pytest

from sipconform.scenario.uas import cancelled, final_response, ring

pytestmark = [pytest.mark.clause("RFC3261-9.2-8"), pytest.mark.role("uas")]


@pytest.mark.parametrize("provisional", ["18x", "100"], ids=["after-18x", "after-100-only"])
def test_cancelled_invite_gets_487(sip_peer, dut, provisional):
    """Stimulus: INVITE; the DUT sends a provisional (an 18x, or only 100 Trying); CANCEL.
    Expectation: the INVITE's final response is 487, with the INVITE's CSeq."""
    if provisional == "18x":
        call = ring(sip_peer, dut)
    else:
        call = ring(sip_peer, dut, behaviour="trying", until=lambda r: r.status == 100)
    cancelled(call)
    final = final_response(call)
    assert final.status == 487, f"a cancelled INVITE was answered {final.start_line!r} instead of 487"
    assert (final.cseq.number, final.cseq.method) == (call.invite.cseq.number, "INVITE")
