"""RFC 3326 §2 ¶11 (RFC3326-2-5, MAY): "An implementation is free to ignore Reason values that it does not
understand."

Here: a proxy receiving a CANCEL with a Reason it does not understand still processes the CANCEL.
"""

import pytest

from sipconform.scenario.proxy import await_cancel, cancel_answer, cancel_upstream, downstream, end_branch, ringing

pytestmark = [pytest.mark.clause("RFC3326-2-5"), pytest.mark.role("proxy")]

REASONS = {
    "unknown-protocol": "X-Sipconform;cause=42",
    "extension-params": 'SIP;cause=200;text="done";x-sipconform=1',
}


@pytest.mark.parametrize("reason", list(REASONS))
def test_cancel_with_unknown_reason_is_processed(sip_peer, sip_peer_factory, dut, reason):
    """Stimulus: INVITE through the DUT; the branch rings; the UAC's CANCEL carries a Reason with an unknown
    protocol token (or unknown parameters). Expectation: 200 to the CANCEL and the DUT's CANCEL downstream."""
    call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel = cancel_upstream(call, extra=[("Reason", REASONS[reason])])
    response = cancel_answer(call, cancel)
    assert response.status == 200, f"a CANCEL with Reason {REASONS[reason]!r} was answered {response.start_line!r}"
    branch = call.branches[0]
    end_branch(branch, await_cancel(branch))
