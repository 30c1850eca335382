"""RFC 3326 §2 ¶8 (RFC3326-2-2, SHOULD): "Proxies generating a CANCEL request upon reception of a CANCEL from
the previous hop that contains a Reason header field SHOULD copy it into the new CANCEL request."
"""

import pytest

from sipconform.flows.proxy import await_cancel, cancel_upstream, downstream, end_branch, ringing
from sipconform.verdict import precondition
from sipconform.verify.reason import reason_values

pytestmark = [pytest.mark.clause("RFC3326-2-2"), pytest.mark.role("proxy")]

REASONS = {
    "one-value": ['SIP;cause=200;text="Call completed elsewhere"'],
    "two-values": ['SIP;cause=200;text="Call completed elsewhere"', "Q.850;cause=16"],
}


@pytest.mark.parametrize("branches", [1, 2], ids=["one-branch", "two-branches"])
@pytest.mark.parametrize("reason", list(REASONS))
def test_reason_is_copied_into_every_cancel(sip_peer, sip_peer_factory, dut, reason, branches):
    """Stimulus: INVITE through the DUT to 1 or 2 ringing branches; the UAC sends CANCEL with one or two
    Reason values. Expectation: every CANCEL of the DUT carries the same Reason values (protocol, cause and
    text compared)."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, branches))
    sent = REASONS[reason]
    cancel_upstream(call, extra=[("Reason", value) for value in sent])
    want = [value.compared for value in reason_values(sent)]
    for branch in call.branches:
        with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
            cancel = await_cancel(branch)
        end_branch(branch, cancel)
        got = [value.compared for value in reason_values(cancel.header_values("reason"))]
        assert got == want, f"{branch.name}'s CANCEL carries Reason {cancel.header_values('reason')}, not {sent}"
