"""RFC 3261 §16.11 ¶5 (RFC3261-16.11-1, MUST): "Furthermore, CANCEL and non-Routed ACK requests MUST generate the
same choice as their associated INVITE."

Here: the choice is the target and its transport (§16.5, §16.6 step 7); the CANCEL and the ACK for the 487
must reach the downstream peer that got the INVITE, over the same transport, call after call.
"""

import pytest

from sipconform.flows.proxy import LEGS, await_final, cancel_received, cancel_upstream, downstream, end_branch, ringing
from sipconform.flows.proxy_profile import downstream_transport
from sipconform.verdict import not_applicable, precondition

pytestmark = [pytest.mark.clause("RFC3261-16.11-1"), pytest.mark.role("stateless-proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
def test_cancel_and_ack_reach_the_invites_target(sip_peer, sip_peer_factory, dut, sip_transport, legs):
    """Stimulus: three calls in a row, each: INVITE through the DUT to the downstream peer (on the UAC's
    transport or the other); it rings; the UAC cancels; the peer answers 200 and 487; the UAC ACKs. Expectation:
    every CANCEL and ACK reaches that peer (its address, port and transport), with the INVITE's branch."""
    leg = downstream_transport(dut, sip_transport, legs)
    if leg is None:
        not_applicable(f"the DUT does not run both UDP and TCP, so it cannot forward {sip_transport.upper()} to the "
                       "other transport")
    (peer,) = downstream(sip_peer_factory, 1, leg)
    for n in range(3):
        with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
            call = ringing(sip_peer, dut, [peer])
        cancel_upstream(call)
        (branch,) = call.branches
        cancel = cancel_received(branch)
        assert cancel.top_via.branch == branch.via.branch, (
            f"call {n + 1}: the CANCEL that reached {peer.name} does not cancel its INVITE (branch "
            f"{cancel.top_via.branch!r}, INVITE {branch.via.branch!r})")
        end_branch(branch, cancel)
        with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
            await_final(call)
        peer.expect_request("ACK", where=call.is_ours)
