"""RFC 3261 §9.2 ¶5 (RFC3261-9.2-12, SHOULD): "the To tag of the response to the CANCEL and the To tag
in the response to the original request SHOULD be the same."
"""

import pytest

from sipconform.flows.uas import cancel, ring
from sipconform.verdict import Inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3261-9.2-12"), pytest.mark.role("uas")]


def test_cancel_200_has_the_invite_response_to_tag(sip_peer, dut):
    """Stimulus: INVITE; the DUT rings with a tagged 18x; CANCEL.
    Expectation: the 200 to the CANCEL carries the 18x's To tag."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut, until=lambda r: r.status > 100 and r.to.tag is not None)
    response = sip_peer.expect_response(cancel(call), final=True)
    if response.status != 200:
        raise Inconclusive(f"the CANCEL was answered {response.start_line!r}, not 200 (see RFC3261-9.2-10)")
    assert response.to.tag == call.to_tag, (
        f"200 (CANCEL) To tag {response.to.tag!r} differs from the INVITE's 18x To tag {call.to_tag!r}")
