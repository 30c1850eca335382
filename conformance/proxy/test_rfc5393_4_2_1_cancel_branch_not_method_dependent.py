"""RFC 5393 §4.2.1 ¶8 (RFC5393-4.2.1-1, MUST NOT / MUST): "This second part MUST NOT vary with the request method.
CANCEL and non-200 ACK requests MUST have the same branch parameter value as the corresponding request they
cancel or acknowledge."

Here: a loop-detecting proxy computes the second part of its branch from fields of the request (§16.6 step 8,
RFC 5393 §4.2.1); the INVITE carries fields its CANCEL and ACK do not (Supported, Require, Max-Breadth, a body),
so a value computed from the whole request differs between them.
Stimulus: such an INVITE through the DUT (with a Route beyond the DUT); the branch rings; the UAC cancels; the
branch answers 200 and 487.
Expectation: the DUT's CANCEL and its ACK for the 487 carry the top Via branch of its INVITE there.
"""

import pytest

from sipconform.flows.proxy import await_ack, await_cancel, cancel_upstream, downstream, end_branch, ringing
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC5393-4.2.1-1"), pytest.mark.role("proxy")]

INVITE_ONLY = [("Supported", "100rel, timer"), ("Require", "timer"), ("Max-Breadth", "60"),
               ("Session-Expires", "1800")]


def test_cancel_and_ack_keep_the_invite_branch(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: as above."""
    peers = downstream(sip_peer_factory)
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, peers, headers=INVITE_ONLY, routes_beyond=[f"<{peers[0].uri('uas')};lr>"])
    cancel_upstream(call)
    (branch,) = call.branches
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        cancel = await_cancel(branch)
    assert cancel.top_via.branch == branch.via.branch, (
        f"the DUT's CANCEL branch {cancel.top_via.branch!r} differs from its INVITE's {branch.via.branch!r}: the "
        f"branch must not vary with the request method or with fields only the INVITE carries")
    end_branch(branch, cancel)
    with precondition(f"the DUT ACKs {branch.name}'s final response (RFC3261-17.1.1.2-1)"):
        ack = await_ack(call, branch)
    assert ack.top_via.branch == branch.via.branch, (
        f"the DUT's ACK (for the 487) branch {ack.top_via.branch!r} differs from its INVITE's {branch.via.branch!r}")
