"""RFC 5393 §4.2.1 ¶8 (RFC5393-4.2.1-1, MUST NOT / MUST): "This second part MUST NOT vary with the request method.
CANCEL and non-200 ACK requests MUST have the same branch parameter value as the corresponding request they
cancel or acknowledge."

Here: a stateless proxy computes its branch from the request it forwards (§16.11); the UAC's INVITE carries
fields its CANCEL and ACK do not (Supported, Require, Max-Breadth, Session-Expires), so a value computed from
the whole request differs between them.
Stimulus: such an INVITE through the DUT (with a Route beyond the DUT); the branch rings; the UAC cancels; the
branch answers 200 and 487; the UAC ACKs the 487.
Expectation: the DUT's top Via on the forwarded CANCEL and ACK carries the branch of the forwarded INVITE.
"""

import pytest

from sipconform.flows.proxy import await_cancel, await_final, cancel_upstream, downstream, end_branch, ringing
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC5393-4.2.1-1"), pytest.mark.role("stateless-proxy")]

INVITE_ONLY = [("Supported", "100rel, timer"), ("Require", "timer"), ("Max-Breadth", "60"),
               ("Session-Expires", "1800")]


def test_forwarded_cancel_and_ack_keep_the_invite_branch(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: as above."""
    peers = downstream(sip_peer_factory)
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, peers, headers=INVITE_ONLY, routes_beyond=[f"<{peers[0].uri('uas')};lr>"])
    cancel_upstream(call)
    (branch,) = call.branches
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        cancel = await_cancel(branch)
    assert cancel.top_via.branch == branch.via.branch, (
        f"the forwarded CANCEL's branch {cancel.top_via.branch!r} differs from the forwarded INVITE's "
        f"{branch.via.branch!r}: the branch must not vary with the request method or with fields only the INVITE "
        f"carries")
    end_branch(branch, cancel)
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        await_final(call)
    ack = branch.peer.expect_request("ACK", where=call.is_ours)
    assert ack.top_via.branch == branch.via.branch, (
        f"the forwarded ACK's branch {ack.top_via.branch!r} differs from the forwarded INVITE's {branch.via.branch!r}")
