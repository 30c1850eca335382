"""RFC 3261 §16.6 step 8 (RFC3261-16.6-8a, MUST NOT / MUST): "The request method MUST NOT be included in the
calculation of the branch parameter. In particular, CANCEL and ACK requests (for non-2xx responses) MUST have
the same branch value as the corresponding request they cancel or acknowledge."

Here, for both proxy roles: on each branch, the CANCEL and the ACK for the 487 carry the branch of the INVITE the
DUT sent there. A stateful proxy sends its own CANCEL and ACK (§16.10, §17.1.1.3); a stateless proxy forwards the
UAC's, computing the branch from each request it forwards (§16.11), so the CANCEL and the ACK must leave it with
the branch the INVITE got.
"""

import pytest

from sipconform.flows.proxy import (LEGS, ProxiedCall, await_ack, await_cancel, cancel_upstream, downstream, end_branch,
                                    ringing)
from sipconform.flows.proxy_profile import downstream_transport
from sipconform.verdict import not_applicable, precondition
from sipconform.verify.via_branch import same_branch

pytestmark = [pytest.mark.clause("RFC3261-16.6-8a")]


@pytest.mark.role("proxy")
@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
@pytest.mark.parametrize("branches", [1, 2], ids=["one-branch", "two-branches"])
def test_cancel_and_ack_carry_the_invite_branch(sip_peer, sip_peer_factory, dut, sip_transport, branches, legs):
    """Stimulus: INVITE through the DUT to 1 or 2 ringing branches; the UAC cancels; each branch answers 200
    and 487. Expectation: on each branch the DUT's CANCEL and its ACK for the 487 carry the top Via branch
    of the INVITE it sent there."""
    leg = downstream_transport(dut, sip_transport, legs)
    if leg is None:
        not_applicable(f"the DUT does not run both UDP and TCP, so it cannot forward {sip_transport.upper()} to the "
                       "other transport")
    peers = downstream(sip_peer_factory, branches, leg)
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, peers)
    cancel_and_ack_keep_the_invite_branch(call, forwarded=False)


@pytest.mark.role("stateless-proxy")
@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
def test_forwarded_cancel_and_ack_keep_the_invite_branch(sip_peer, sip_peer_factory, dut, sip_transport, legs):
    """Stimulus: INVITE through the DUT; the downstream peer rings; the UAC sends CANCEL; the peer answers 200
    and 487; the UAC ACKs the 487. Expectation: the DUT's top Via on the forwarded CANCEL and ACK carries the
    branch of its top Via on the forwarded INVITE."""
    leg = downstream_transport(dut, sip_transport, legs)
    if leg is None:
        not_applicable(f"the DUT does not run both UDP and TCP, so it cannot forward {sip_transport.upper()} to the "
                       "other transport")
    peers = downstream(sip_peer_factory, 1, leg)
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.11)"):
        call = ringing(sip_peer, dut, peers)
    cancel_and_ack_keep_the_invite_branch(call, forwarded=True)


def cancel_and_ack_keep_the_invite_branch(call: ProxiedCall, *, forwarded: bool) -> None:
    """The UAC cancels; on each branch the CANCEL comes (the DUT's own, RFC3261-16.10-2's; or the UAC's,
    forwarded as RFC3261-16.11-1 wants), its branch is judged; the branch answers 200 and 487; the ACK for the
    487 comes (the DUT's, RFC3261-17.1.1.2-1's; or the UAC's, forwarded), its branch is judged."""
    cancel_owner, ack_owner = ("RFC3261-16.11-1", "RFC3261-16.11-1") if forwarded else ("RFC3261-16.10-2",
                                                                                         "RFC3261-17.1.1.2-1")
    cancel_upstream(call)
    for branch in call.branches:
        with precondition(f"{branch.name} gets a CANCEL it can answer ({cancel_owner})"):
            cancel = await_cancel(branch)
        problems = same_branch(cancel, branch.invite, at=branch.name, forwarded=forwarded)
        assert not problems, problems[0]
        end_branch(branch, cancel)
        with precondition(f"{branch.name} gets the ACK for its 487 ({ack_owner})"):
            ack = await_ack(call, branch)
        problems = same_branch(ack, branch.invite, at=branch.name, forwarded=forwarded)
        assert not problems, problems[0]
