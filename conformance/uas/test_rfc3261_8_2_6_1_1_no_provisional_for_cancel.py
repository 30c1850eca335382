"""RFC 3261 §8.2.6.1 ¶1 (RFC3261-8.2.6.1-1, SHOULD): "UASs SHOULD NOT issue a provisional response for a
non-INVITE request. Rather, UASs SHOULD generate a final response to a non-INVITE request as soon as
possible."

Here: the non-INVITE request is a CANCEL (RFC 4320 forbids the non-100 ones: RFC4320-4.1-1).
"""

import pytest

from sipconform.flows.uas import answers_to, cancel, ring
from sipconform.verdict import precondition, warn

pytestmark = [pytest.mark.clause("RFC3261-8.2.6.1-1"), pytest.mark.role("uas")]


def test_cancel_gets_no_provisional_response(sip_peer, dut):
    """Stimulus: INVITE; the DUT rings; CANCEL. Expectation: a final response and no provisional one,
    not even 100."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    request = cancel(call)
    sip_peer.expect_response(request, final=True)
    provisional = [r.message for r in sip_peer.arrivals(answers_to(request)) if r.message.is_provisional]
    if provisional:
        warn(f"the UAS sent the provisional {provisional[0].start_line!r} to the CANCEL instead of its final "
             "response at once")
