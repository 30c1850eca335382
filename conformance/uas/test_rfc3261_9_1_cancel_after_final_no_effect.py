"""RFC 3261 §9 ¶2 (RFC3261-9-1, MUST NOT): "CANCEL has no effect on a request to which a UAS has already
given a final response."

Here: the session an INVITE set up survives a CANCEL sent after the 200: the dialog still exists, so a
BYE in it is answered 200 (not 481).
"""

import pytest

from sipconform.flows.uas import ack_2xx, answered, end
from sipconform.sip import cancel_for
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-9-1"), pytest.mark.role("uas"), pytest.mark.requires(target="answer")]


def test_answered_call_survives_a_late_cancel(sip_peer, dut):
    """Stimulus: INVITE answered 200 at once; CANCEL of that INVITE; ACK for the 200; BYE.
    Expectation: the BYE is answered 200: the CANCEL did not end the session."""
    with precondition("the DUT answers an INVITE at once"):
        call = answered(sip_peer, dut)
    request = cancel_for(call.invite)
    sip_peer.send(request)
    sip_peer.expect_response(request, final=True)
    ack_2xx(call)
    response = end(call)
    assert response.status == 200, f"BYE after a late CANCEL got {response.start_line!r}: the session was torn down"
