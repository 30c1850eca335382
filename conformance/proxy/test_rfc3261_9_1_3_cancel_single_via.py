"""RFC 3261 §9.1 ¶3 (RFC3261-9.1-3, MUST): "A CANCEL constructed by a client MUST have only a single Via
header field value matching the top Via value in the request being cancelled."

Here: the proxy is the client of each branch; the single Via is its own Via of that branch's INVITE, not
the upstream Via stack.
"""

import pytest

from sipconform.flows.proxy import LEGS, await_cancel, cancel_upstream, downstream, end_branch, ringing
from sipconform.flows.proxy_profile import downstream_transport
from sipconform.verdict import not_applicable, precondition, warn
from sipconform.verify.cancel_request import single_via
from sipconform.verify.fields import Findings

pytestmark = [pytest.mark.clause("RFC3261-9.1-3"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
@pytest.mark.parametrize("branches", [1, 2], ids=["one-branch", "two-branches"])
def test_cancel_has_the_single_via_of_the_branch_invite(sip_peer, sip_peer_factory, dut, sip_transport, branches,
                                                        legs):
    """Stimulus: INVITE through the DUT to 1 or 2 ringing branches; the UAC sends CANCEL. Expectation: each
    branch's CANCEL has exactly one Via value, with the sent-protocol, sent-by and branch of the top Via of
    the INVITE the DUT sent on that branch (other parameters: warn if they differ)."""
    leg = downstream_transport(dut, sip_transport, legs)
    if leg is None:
        not_applicable(f"the DUT does not run both UDP and TCP, so it cannot forward {sip_transport.upper()} to the "
                       "other transport")
    peers = downstream(sip_peer_factory, branches, leg)
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, peers)
    cancel_upstream(call)
    found = Findings()
    for branch in call.branches:
        with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
            cancel = await_cancel(branch)
        found.extend(single_via(branch.invite, cancel), f"{branch.name}'s CANCEL: ")
        end_branch(branch, cancel)
    assert not found, found.text()
    if found.notes:
        warn("; ".join(found.notes))
