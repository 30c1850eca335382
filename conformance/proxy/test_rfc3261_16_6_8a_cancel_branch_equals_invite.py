"""RFC 3261 §16.6 step 8 (RFC3261-16.6-8a, MUST NOT / MUST): "The request method MUST NOT be included in the
calculation of the branch parameter. In particular, CANCEL and ACK requests (for non-2xx responses) MUST have
the same branch value as the corresponding request they cancel or acknowledge."

Here: the CANCEL and the ACK a stateful proxy sends on each branch carry the branch of its INVITE there.
"""

import pytest

from sipconform.flows.proxy import LEGS, await_ack, await_cancel, cancel_upstream, downstream, end_branch, ringing
from sipconform.flows.proxy_profile import downstream_transport
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-16.6-8a"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
@pytest.mark.parametrize("branches", [1, 2], ids=["one-branch", "two-branches"])
def test_cancel_and_ack_carry_the_invite_branch(sip_peer, sip_peer_factory, dut, sip_transport, branches, legs):
    """Stimulus: INVITE through the DUT to 1 or 2 ringing branches; the UAC cancels; each branch answers 200
    and 487. Expectation: on each branch the DUT's CANCEL and its ACK for the 487 carry the top Via branch
    of the INVITE it sent there."""
    peers = downstream(sip_peer_factory, branches, downstream_transport(dut, sip_transport, legs))
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, peers)
    cancel_upstream(call)
    for branch in call.branches:
        with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
            cancel = await_cancel(branch)
        assert cancel.top_via.branch == branch.via.branch, (
            f"{branch.name}: CANCEL branch {cancel.top_via.branch!r}, INVITE branch {branch.via.branch!r}")
        end_branch(branch, cancel)
        with precondition(f"the DUT ACKs {branch.name}'s final response (RFC3261-17.1.1.2-1)"):
            ack = await_ack(call, branch)
        assert ack.top_via.branch == branch.via.branch, (
            f"{branch.name}: ACK (for the 487) branch {ack.top_via.branch!r}, INVITE branch {branch.via.branch!r}")
