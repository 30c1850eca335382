"""RFC 3326 §2 ¶1 (RFC3326-2-1, MAY): "The Reason header field MAY appear in any request within a dialog, in
any CANCEL request and in any response whose status code explicitly allows the presence of this header
field."

Here: the proxy receives a CANCEL carrying Reason; that is allowed, so the CANCEL is processed as any other
(200, CANCEL on each branch), never rejected.
"""

import pytest

from sipconform.scenario.proxy import await_cancel, cancel_answer, cancel_upstream, downstream, end_branch, ringing

pytestmark = [pytest.mark.clause("RFC3326-2-1"), pytest.mark.role("proxy")]

REASONS = {
    "sip-200": 'SIP ;cause=200 ;text="Call completed elsewhere"',
    "q850-16": "Q.850;cause=16",
    "both": 'SIP;cause=600;text="Busy Everywhere", Q.850;cause=17',
}


@pytest.mark.parametrize("reason", list(REASONS))
def test_cancel_with_reason_is_processed(sip_peer, sip_peer_factory, dut, reason):
    """Stimulus: INVITE through the DUT; the branch rings; the UAC sends CANCEL with ``Reason``. Expectation:
    the CANCEL is answered 200 and the branch gets the DUT's CANCEL."""
    call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel = cancel_upstream(call, extra=[("Reason", REASONS[reason])])
    response = cancel_answer(call, cancel)
    assert response.status == 200, f"a CANCEL with Reason {REASONS[reason]!r} was answered {response.start_line!r}"
    branch = call.branches[0]
    end_branch(branch, await_cancel(branch))
