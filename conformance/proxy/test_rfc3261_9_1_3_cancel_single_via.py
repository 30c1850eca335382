"""RFC 3261 §9.1 ¶3 (RFC3261-9.1-3, MUST): "A CANCEL constructed by a client MUST have only a single Via
header field value matching the top Via value in the request being cancelled."

Here: the proxy is the client of each branch; the single Via is its own Via of that branch's INVITE, not
the upstream Via stack.
"""

import pytest

from sipconform.flows.proxy import LEGS, await_cancel, cancel_upstream, downstream, end_branch, ringing
from sipconform.flows.proxy_profile import downstream_transport
from sipconform.verdict import precondition, warn
from sipconform.verify.proxy_cancel import same_via_value

pytestmark = [pytest.mark.clause("RFC3261-9.1-3"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
@pytest.mark.parametrize("branches", [1, 2], ids=["one-branch", "two-branches"])
def test_cancel_has_the_single_via_of_the_branch_invite(sip_peer, sip_peer_factory, dut, sip_transport, branches,
                                                        legs):
    """Stimulus: INVITE through the DUT to 1 or 2 ringing branches; the UAC sends CANCEL. Expectation: each
    branch's CANCEL has exactly one Via value, with the sent-protocol, sent-by and branch of the top Via of
    the INVITE the DUT sent on that branch (other parameters: warn if they differ)."""
    peers = downstream(sip_peer_factory, branches, downstream_transport(dut, sip_transport, legs))
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, peers)
    cancel_upstream(call)
    other_params = []
    for branch in call.branches:
        with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
            cancel = await_cancel(branch)
        vias = [v.text for v in cancel.vias]
        assert len(vias) == 1, f"{branch.name}'s CANCEL has {len(vias)} Via values {vias}, not one"
        assert same_via_value(cancel.top_via, branch.via), (
            f"{branch.name}'s CANCEL Via {vias[0]!r} does not match the INVITE's top Via {branch.via.text!r}")
        if sorted(cancel.top_via.params) != sorted(branch.via.params):
            other_params.append(f"{branch.name}: CANCEL Via {vias[0]!r}, INVITE Via {branch.via.text!r}")
        end_branch(branch, cancel)
    if other_params:
        warn("the CANCEL's Via parameters differ from the INVITE's: " + "; ".join(other_params))
