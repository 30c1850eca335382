"""RFC 3261 §16.7 step 3 (RFC3261-16.7-3, MUST NOT): "If no Via header field values remain in the response,
the response was meant for this element and MUST NOT be forwarded."

Here: the 200 a branch sends to the proxy's own CANCEL carries only the proxy's Via; it is the proxy's and
never reaches the UAC.
"""

import pytest

from sipconform.flows.proxy import (await_cancel, await_final, cancel_upstream, downstream, end_branch, relayed,
                                    responses_seen, ringing)
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-16.7-3"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("branches", [1, 2], ids=["one-branch", "two-branches"])
def test_downstream_200_to_cancel_stays_at_the_proxy(sip_peer, sip_peer_factory, dut, branches):
    """Stimulus: INVITE through the DUT to 1 or 2 ringing branches; the UAC cancels; each branch answers the
    DUT's CANCEL 200 and then 487. Expectation: the UAC receives no response to its CANCEL relayed from a
    branch (only the DUT's own 200)."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, branches))
    cancel = cancel_upstream(call)
    for branch in call.branches:
        with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
            end_branch(branch, await_cancel(branch))
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        await_final(call)
    sip_peer.reactor.run_for(dut.timers.quiet)
    leaked = [f"{r.start_line} from {relayed(r)}" for r in responses_seen(sip_peer, cancel) if relayed(r)]
    assert not leaked, f"the DUT forwarded a downstream response to its own CANCEL to the UAC: {leaked}"
