"""RFC 3261 §16.6 step 8 (RFC3261-16.6-8a, MUST NOT / MUST): "The request method MUST NOT be included in the
calculation of the branch parameter. In particular, CANCEL and ACK requests (for non-2xx responses) MUST have
the same branch value as the corresponding request they cancel or acknowledge."

Here: a stateless proxy computes its branch from the request (§16.11); the UAC's CANCEL and its ACK for the
487 must leave it with the branch the INVITE got.
"""

import pytest

from sipconform.flows.proxy import LEGS, await_cancel, await_final, cancel_upstream, downstream, end_branch, ringing
from sipconform.flows.proxy_profile import downstream_transport
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-16.6-8a"), pytest.mark.role("stateless-proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
def test_forwarded_cancel_and_ack_keep_the_invite_branch(sip_peer, sip_peer_factory, dut, sip_transport, legs):
    """Stimulus: INVITE through the DUT; the downstream peer rings; the UAC sends CANCEL; the peer answers 200
    and 487; the UAC ACKs the 487. Expectation: the DUT's top Via on the forwarded CANCEL and ACK carries the
    branch of its top Via on the forwarded INVITE."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, 1, downstream_transport(dut, sip_transport, legs)))
    cancel_upstream(call)
    (branch,) = call.branches
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        cancel = await_cancel(branch)
    assert cancel.top_via.branch == branch.via.branch, (
        f"the forwarded CANCEL's branch {cancel.top_via.branch!r} is not the forwarded INVITE's {branch.via.branch!r}")
    end_branch(branch, cancel)
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        await_final(call)
    ack = branch.peer.expect_request("ACK", where=call.is_ours)
    assert ack.top_via.branch == branch.via.branch, (
        f"the forwarded ACK's branch {ack.top_via.branch!r} is not the forwarded INVITE's {branch.via.branch!r}")
