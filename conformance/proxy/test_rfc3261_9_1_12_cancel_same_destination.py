"""RFC 3261 §9.1 ¶8 (RFC3261-9.1-12, MUST): "The destination address, port, and transport for the CANCEL MUST
be identical to those used to send the original request."

Here: each downstream peer listens on one address, port and transport; the CANCEL for a branch must arrive
at the peer that received that branch's INVITE, over the same transport (and, over TCP, the same
connection is RECOMMENDED by §18.1.1: not judged here).
"""

import pytest

from sipconform.flows.proxy import LEGS, cancel_received, cancel_upstream, downstream, end_branch, ringing
from sipconform.flows.proxy_profile import downstream_transport
from sipconform.verdict import inconclusive, not_applicable, precondition

pytestmark = [pytest.mark.clause("RFC3261-9.1-12"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
@pytest.mark.parametrize("branches", [1, 2], ids=["one-branch", "two-branches"])
def test_cancel_goes_where_the_invite_went(sip_peer, sip_peer_factory, dut, sip_transport, branches, legs):
    """Stimulus: INVITE through the DUT to 1 or 2 ringing branches (downstream on the UAC's transport or
    the other); the UAC cancels. Expectation: each branch's peer receives, over its transport, a CANCEL
    for its own INVITE (the branch of the INVITE the DUT sent there)."""
    leg = downstream_transport(dut, sip_transport, legs)
    if leg is None:
        not_applicable(f"the DUT does not run both UDP and TCP, so it cannot forward {sip_transport.upper()} to the "
                       "other transport")
    peers = downstream(sip_peer_factory, branches, leg)
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, peers)
    cancel_upstream(call)
    for branch in call.branches:
        cancel = cancel_received(branch)
        meant_for = [b.name for b in call.branches if b.via.branch == cancel.top_via.branch]
        if not meant_for:
            inconclusive(f"precondition not reached: the CANCEL {branch.name} received names branch "
                         f"{cancel.top_via.branch!r}, no INVITE's, so where it should go is unknown (RFC3261-16.6-8a)")
        assert meant_for == [branch.name], (
            f"{branch.name} received the CANCEL for {meant_for[0]}'s INVITE (branch {cancel.top_via.branch!r})")
        source = branch.peer.source_of(cancel)
        assert source[0] == branch.peer.source_of(branch.invite)[0], (
            f"{branch.name} got the CANCEL from {source[0]}, the INVITE from another address")
        with precondition(f"{branch.name} can answer the DUT's CANCEL (RFC3261-9.1-4)"):
            end_branch(branch, cancel)
