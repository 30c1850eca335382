"""RFC 3261 §8.2.7 ¶7 (RFC3261-8.2.7-1): "A stateless UAS MUST ignore CANCEL requests."

Applies to a DUT that declares a stateless UAS (``capabilities.stateless_uas = true``); a stateful UAS
answers CANCEL (§9.2, 481 when nothing matches), so for it the clause does not apply. The stateless UAS
keeps no transaction a CANCEL could match, so a CANCEL for an INVITE it never saw is as good a stimulus as
any; ignoring it means no response at all, not even to the CANCEL's retransmissions.
"""

import pytest

from sipconform.flows.variants import cancel_for_no_call
from sipconform.peer import NoMessage

pytestmark = [pytest.mark.clause("RFC3261-8.2.7-1"), pytest.mark.role("uas"), pytest.mark.slow,
              pytest.mark.requires("stateless_uas")]


def test_stateless_uas_ignores_cancel(sip_peer, dut, sip_timers):
    """Stimulus: a CANCEL (fresh Call-ID, tags and branch), retransmitted as its client transaction does.
    Expectation: no response within 64*T1 (Timer F of the CANCEL)."""
    request = cancel_for_no_call(sip_peer, dut)
    sip_peer.send(request)
    try:
        response = sip_peer.expect_response(request, within=sip_timers.b)
    except NoMessage:
        return
    pytest.fail(f"a stateless UAS must ignore CANCEL; it answered {response.start_line!r}")
