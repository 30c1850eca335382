"""RFC 3261 §17.1.1.2 ¶7 (RFC3261-17.1.1.2-1, MUST): "The client transaction MUST pass the received
response up to the TU, and the client transaction MUST generate an ACK request, even if the transport is
reliable (guidelines for constructing the ACK from the response are given in Section 17.1.1.3) and then
pass the ACK to the transport layer for transmission. The ACK MUST be sent to the same address, port,
and transport to which the original request was sent."

Here: the proxy's INVITE client transaction of each branch and the 487 that ends it after a CANCEL. What the
ACK carries is §17.1.1.3's (RFC3261-17.1.1.3-1 to 3-5).
"""

import pytest

from sipconform.flows.proxy import LEGS, await_ack, await_cancel, cancel_upstream, downstream, end_branch, ringing
from sipconform.flows.proxy_profile import downstream_transport
from sipconform.peer import NoMessage
from sipconform.verdict import not_applicable, precondition

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.2-1"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
@pytest.mark.parametrize("branches", [1, 2], ids=["one-branch", "two-branches"])
def test_487_is_acked_where_the_invite_went(sip_peer, sip_peer_factory, dut, sip_transport, branches, legs):
    """Stimulus: INVITE through the DUT to 1 or 2 ringing branches (downstream on the UAC's transport or the
    other); the UAC cancels; each branch answers the DUT's CANCEL 200 and its INVITE 487. Expectation: each
    branch's peer, which received that INVITE, receives an ACK of the call over its transport (over TCP too)."""
    leg = downstream_transport(dut, sip_transport, legs)
    if leg is None:
        not_applicable(f"the DUT does not run both UDP and TCP, so it cannot forward {sip_transport.upper()} to the "
                       "other transport")
    peers = downstream(sip_peer_factory, branches, leg)
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, peers)
    cancel_upstream(call)
    unacked = []
    for branch in call.branches:
        with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
            end_branch(branch, await_cancel(branch))
        try:
            await_ack(call, branch)
        except NoMessage as exc:
            unacked.append(f"{branch.name}: {exc}")
    assert not unacked, "the DUT sent no ACK for the 487 to the peer its INVITE went to: " + "; ".join(unacked)
