"""RFC 3261 §28.1 (RFC3261-28.1-2): "When a user sends an INVITE and then a CANCEL, the INVITE
transaction still terminates normally. A UAS needs to respond to the original INVITE request with a 487
response."

The SHOULD of §9.2 is RFC3261-9.2-8; this is the change from RFC 2543 that §28.1 states as a need: the
INVITE transaction is not ended by the CANCEL alone, it ends with a final response, the 487.
"""

import pytest

from sipconform.scenario.uas import cancelled, final_response, ring

pytestmark = [pytest.mark.clause("RFC3261-28.1-2"), pytest.mark.role("uas")]


def test_cancelled_invite_terminates_with_487(sip_peer, dut):
    """Stimulus: INVITE; the DUT rings; CANCEL. Expectation: the INVITE gets a final response, a 487."""
    call = ring(sip_peer, dut)
    cancelled(call)
    final = final_response(call)
    assert final.status == 487, f"the cancelled INVITE terminated with {final.start_line!r}, not 487"
