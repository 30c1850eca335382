"""RFC 3326 §2 ¶11 (RFC3326-2-5, MAY): "An implementation is free to ignore Reason values that it does not
understand."

Here: a proxy receiving a CANCEL with a Reason it does not understand still processes the CANCEL.
"""

import pytest

from sipconform.flows.proxy import await_cancel, await_cancel_response, cancel_upstream, downstream, end_branch, ringing
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3326-2-5"), pytest.mark.role("proxy")]

REASONS = {
    "unknown-protocol": "X-Sipconform;cause=42",
    "extension-params": 'SIP;cause=200;text="done";x-sipconform=1',
}


@pytest.mark.parametrize("reason", list(REASONS))
def test_cancel_with_unknown_reason_is_processed(sip_peer, sip_peer_factory, dut, reason):
    """Stimulus: INVITE through the DUT; the branch rings; the UAC's CANCEL carries a Reason with an unknown
    protocol token (or unknown parameters). Expectation: 200 to the CANCEL and the DUT's CANCEL downstream."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel = cancel_upstream(call, extra=[("Reason", REASONS[reason])])
    with precondition("the DUT answers the UAC's CANCEL (RFC3261-16.10-4)"):
        response = await_cancel_response(call, cancel)
    assert response.status == 200, f"a CANCEL with Reason {REASONS[reason]!r} was answered {response.start_line!r}"
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        end_branch(branch, await_cancel(branch))
