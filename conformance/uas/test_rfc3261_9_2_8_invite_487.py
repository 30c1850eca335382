"""RFC 3261 §9.2 ¶4 (RFC3261-9.2-8, SHOULD): "If the original request was an INVITE, the UAS SHOULD
immediately respond to the INVITE with a 487 (Request Terminated)."
"""

import pytest

from sipconform.flows.uas import await_final, cancelled, refuses, ring
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-9.2-8"), pytest.mark.role("uas")]


@pytest.mark.parametrize("provisional", ["18x", pytest.param("100", marks=pytest.mark.requires(target="trying"))],
                         ids=["after-18x", "after-100-only"])
def test_cancelled_invite_gets_487(sip_peer, dut, sip_timers, provisional):
    """Stimulus: INVITE; the DUT sends a provisional (an 18x, or only 100 Trying); CANCEL.
    Expectation: at once (``Timers.immediately``, with tolerance) the INVITE's final response, a 487 with the
    INVITE's CSeq. A CANCEL refused (not 200) while the INVITE goes on: inconclusive (RFC3261-9.2-10)."""
    if provisional == "18x":
        with precondition("the DUT rings on an INVITE"):
            call = ring(sip_peer, dut)
    else:
        with precondition("the DUT rings on an INVITE"):
            call = ring(sip_peer, dut, behaviour="trying", until=lambda r: r.status == 100)
    at_once = sip_timers.tolerance(sip_timers.immediately)
    with precondition("the DUT answers the CANCEL 200 (RFC3261-9.2-10), or ends the INVITE all the same"):
        cancelled(call)
        if refuses(call.cancel_response):
            await_final(call, within=at_once)
    final = await_final(call, within=at_once)
    assert final.status == 487, f"a cancelled INVITE was answered {final.start_line!r} instead of 487"
    assert (final.cseq.number, final.cseq.method) == (call.invite.cseq.number, "INVITE")
