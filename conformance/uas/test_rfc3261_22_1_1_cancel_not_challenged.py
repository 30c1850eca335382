"""RFC 3261 §22.1 (RFC3261-22.1-1, MUST NOT): "Although the CANCEL method does take a response (a 2xx),
servers MUST NOT attempt to challenge CANCEL requests since these requests cannot be resubmitted."
"""

import pytest

from sipconform.flows.uas import cancel, ring
from sipconform.flows.variants import cancel_for_no_call
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-22.1-1"), pytest.mark.role("uas")]

CHALLENGES = (401, 407)


def test_matched_cancel_is_not_challenged(sip_peer, dut):
    """Stimulus: INVITE; the DUT rings; CANCEL without credentials. Expectation: no 401/407."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    response = sip_peer.expect_response(cancel(call), final=True)
    assert response.status not in CHALLENGES, f"the CANCEL was challenged: {response.start_line!r}"


def test_unmatched_cancel_is_not_challenged(sip_peer, dut):
    """Stimulus: a CANCEL matching nothing, without credentials. Expectation: no 401/407."""
    request = cancel_for_no_call(sip_peer, dut)
    sip_peer.send(request)
    response = sip_peer.expect_response(request, final=True)
    assert response.status not in CHALLENGES, f"the CANCEL was challenged: {response.start_line!r}"
