"""RFC 3261 §9.1 ¶6 (RFC3261-9.1-6, MUST NOT): "The CANCEL request MUST NOT contain any Require or
Proxy-Require header fields."
"""

import pytest

from sipconform.flows.proxy import await_cancel, cancel_upstream, downstream, end_branch, ringing
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-9.1-6"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("require", ["100rel", "timer, x-sipconform"], ids=["require-100rel", "require-two"])
def test_cancel_of_an_invite_with_require_has_none(sip_peer, sip_peer_factory, dut, require):
    """Stimulus: the UAC's INVITE carries ``Require`` (which a proxy passes on, §16.6); the branch rings; the
    UAC sends CANCEL. Expectation: the DUT's CANCEL has neither Require nor Proxy-Require."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory), headers=[("Require", require)])
    cancel_upstream(call)
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        cancel = await_cancel(branch)
    for name in ("Require", "Proxy-Require"):
        assert not cancel.has(name), f"the DUT's CANCEL carries {name}: {cancel.header(name)!r}"
    end_branch(branch, cancel)
