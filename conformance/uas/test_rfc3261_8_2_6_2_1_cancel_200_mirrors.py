"""RFC 3261 §8.2.6.2 ¶1 (RFC3261-8.2.6.2-1, MUST): "The From field of the response MUST equal the From
header field of the request. The Call-ID header field of the response MUST equal the Call-ID header
field of the request. The CSeq header field of the response MUST equal the CSeq field of the request.
The Via header field values in the response MUST equal the Via header field values in the request and
MUST maintain the same ordering."

Here: the response to a CANCEL, and the 487 to the cancelled INVITE.
"""

import pytest

from sipconform.flows.uas import await_final, cancel, cancelled, ring, second_via
from sipconform.verdict import precondition
from sipconform.verify.messages import response_mirrors_request

pytestmark = [pytest.mark.clause("RFC3261-8.2.6.2-1"), pytest.mark.role("uas")]


def test_cancel_response_mirrors_the_cancel(sip_peer, dut):
    """Stimulus: INVITE; the DUT rings; CANCEL.
    Expectation: the final response to the CANCEL copies its From, Call-ID, CSeq and Via."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    request = cancel(call)
    response = sip_peer.expect_response(request, final=True)
    assert not (problems := response_mirrors_request(request, response)), "; ".join(problems)


def test_487_mirrors_the_invite(sip_peer, dut, sip_timers):
    """Stimulus: INVITE with two Via values (as if through a proxy); the DUT rings; CANCEL.
    Expectation: the INVITE's final response copies its From, Call-ID, CSeq and both Via values in order.
    No final response at once (RFC3261-9.2-8's "immediately"): inconclusive."""
    upstream = f"SIP/2.0/{sip_peer.transport.upper()} 127.0.0.2:9;branch={sip_peer.new_branch()}"
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut, edit=lambda invite: second_via(invite, upstream))
    at_once = sip_timers.tolerance(sip_timers.immediately)
    with precondition("the DUT answers the CANCEL and ends the INVITE at once (RFC3261-9.2-10, RFC3261-9.2-8)"):
        cancelled(call, within=at_once)
        final = await_final(call, within=at_once)
    assert not (problems := response_mirrors_request(call.invite, final)), "; ".join(problems)
