"""RFC 3261 §9.1 ¶8 (RFC3261-9.1-10, SHOULD NOT): "If the original request has generated a final response,
the CANCEL SHOULD NOT be sent, as it is an effective no-op, since CANCEL has no effect on requests that
have already generated a final response."

After a 2xx the call is established: hanging up is a BYE (§15), not a CANCEL.
"""

import pytest

from sipconform.flows.uac import answer, answer_bye, await_ack, hang_up, ring
from sipconform.peer import UnexpectedMessage
from sipconform.verdict import precondition, warn

pytestmark = [pytest.mark.clause("RFC3261-9.1-10"), pytest.mark.role("uac")]


@pytest.mark.parametrize("final", [486, 200], ids=["after-486", "after-200"])
def test_no_cancel_after_a_final_response(sip_peer, upper_tester, sip_timers, final):
    """Stimulus: the DUT calls the peer; 180; then a final response (486, or 200 which the DUT ACKs);
    then the DUT hangs up. Expectation: no CANCEL for the INVITE within 4*T1 of the hang-up."""
    with precondition("the DUT calls the peer when the upper tester makes it"):
        call = ring(sip_peer, upper_tester)
    answer(call, final)
    owner = "RFC3261-17.1.1.2-1" if final >= 300 else "RFC3261-13.2.2.4-1"
    with precondition(f"the DUT ACKs the {final} to its INVITE ({owner})"):
        await_ack(call)
    hang_up(call, tolerate_errors=True)  # after a 486 there may be nothing left to hang up
    try:
        sip_peer.expect_nothing(sip_timers.immediately, method="CANCEL",
                                where=lambda m: m.call_id == call.invite.call_id)
    except UnexpectedMessage:
        warn(f"the DUT sent a CANCEL for an INVITE that had already received its final response {final}")
    finally:
        if final < 300:
            answer_bye(call, within=sip_timers.immediately)
