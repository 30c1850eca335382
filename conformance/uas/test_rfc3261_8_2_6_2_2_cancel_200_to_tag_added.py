"""RFC 3261 §8.2.6.2 ¶2 (RFC3261-8.2.6.2-2, MUST): "However, if the To header field in the request did
not contain a tag, the URI in the To header field in the response MUST equal the URI in the To header
field; additionally, the UAS MUST add a tag to the To header field in the response (with the exception
of the 100 (Trying) response, in which a tag MAY be present)."

Here: the CANCEL of an initial INVITE has no To tag, so the 200 (CANCEL) must add one.
"""

import pytest

from sipconform.flows.uas import cancel, ring
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-8.2.6.2-2"), pytest.mark.role("uas")]


def test_cancel_200_adds_a_to_tag(sip_peer, dut):
    """Stimulus: INVITE; the DUT rings; CANCEL (its To has no tag).
    Expectation: every non-100 response to the CANCEL has the CANCEL's To URI and a To tag."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    request = cancel(call)
    response = sip_peer.expect_response(request, final=True)
    assert response.to.uri == request.to.uri, f"To URI {response.to.uri!r} differs from the CANCEL's {request.to.uri!r}"
    assert response.to.tag, f"the {response.status} to the CANCEL has no To tag: {response.to.text!r}"
