"""RFC 3261 §13.2.2.4 ¶4 (RFC3261-13.2.2.4-1, MUST): "The UAC core MUST generate an ACK request for each
2xx received from the transaction layer."

Here: a 2xx that crosses the CANCEL (RFC 5407 §3.1.2): the callee answered before the CANCEL reached
it, so the CANCEL is answered 200 (or 481) and the call is up: the 2xx must be ACKed all the same.
"""

import pytest

from sipconform.flows.uac import answer, answer_bye, ring_and_cancel
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-13.2.2.4-1"), pytest.mark.role("uac")]


@pytest.mark.parametrize("cancel_answer", [200, 481])
def test_2xx_crossing_the_cancel_is_acked(sip_peer, upper_tester, sip_timers, cancel_answer):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; on its CANCEL the peer answers the INVITE
    200 (with SDP), then the CANCEL 200 or 481. Expectation: an ACK for the 2xx (CSeq "<n> ACK", the 2xx's
    To tag) within 64*T1 (the peer retransmits the 2xx meanwhile over UDP)."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    ok = answer(call, 200)
    sip_peer.respond(cancel, cancel_answer)
    try:
        ack = sip_peer.expect_request("ACK", within=sip_timers.h,
                                      where=lambda r: r.call_id == call.invite.call_id)
    finally:
        answer_bye(call, within=sip_timers.immediately)
    assert (ack.cseq.number, ack.cseq.method) == (call.invite.cseq.number, "ACK"), (
        f"the ACK's CSeq is {ack.header('cseq')!r}, expected '{call.invite.cseq.number} ACK'")
    assert ack.to.tag == ok.to.tag, f"the ACK's To tag {ack.to.tag!r} is not the 2xx's {ok.to.tag!r}"
