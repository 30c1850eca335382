"""RFC 3326 §2 ¶1 (RFC3326-2-1, MAY): "The Reason header field MAY appear in any request within a dialog, in
any CANCEL request and in any response whose status code explicitly allows the presence of this header
field."

Here: the proxy receives a CANCEL carrying Reason; that is allowed, so the CANCEL is processed as any other
(200, CANCEL on each branch), never rejected.
"""

import pytest

from sipconform.flows.proxy import await_cancel, await_cancel_response, cancel_upstream, downstream, end_branch, ringing
from sipconform.verdict import precondition

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
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel = cancel_upstream(call, extra=[("Reason", REASONS[reason])])
    with precondition("the DUT answers the UAC's CANCEL (RFC3261-16.10-4)"):
        response = await_cancel_response(call, cancel)
    assert response.status == 200, f"a CANCEL with Reason {REASONS[reason]!r} was answered {response.start_line!r}"
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        end_branch(branch, await_cancel(branch))
