"""RFC 3261 §28.1 (RFC3261-28.1-2): "When a user sends an INVITE and then a CANCEL, the INVITE
transaction still terminates normally. A UAS needs to respond to the original INVITE request with a 487
response."

The SHOULD of §9.2 is RFC3261-9.2-8; this is the change from RFC 2543 that §28.1 states as a need: the
INVITE transaction is not ended by the CANCEL alone, it ends with a final response, the 487.
"""

import pytest

from sipconform.flows.uas import await_final, cancelled, refuses, ring
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-28.1-2"), pytest.mark.role("uas")]


def test_cancelled_invite_terminates_with_487(sip_peer, dut, sip_timers):
    """Stimulus: INVITE; the DUT rings; CANCEL. Expectation: the INVITE gets a final response, a 487, before
    the caller's Timer B gives the transaction up. A CANCEL refused (not 200) while the INVITE goes on:
    inconclusive (RFC3261-9.2-10)."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    with precondition("the DUT answers the CANCEL 200 (RFC3261-9.2-10), or ends the INVITE all the same"):
        cancelled(call)
        if refuses(call.cancel_response):
            await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
    final = await_final(call, within=sip_timers.b)
    assert final.status == 487, f"the cancelled INVITE terminated with {final.start_line!r}, not 487"
