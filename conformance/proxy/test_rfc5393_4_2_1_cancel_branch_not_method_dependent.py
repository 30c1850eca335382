"""RFC 5393 §4.2.1 ¶8 (RFC5393-4.2.1-1, MUST NOT / MUST): "This second part MUST NOT vary with the request method.
CANCEL and non-200 ACK requests MUST have the same branch parameter value as the corresponding request they
cancel or acknowledge."

Here, for both proxy roles: a loop-detecting proxy computes the second part of its branch from fields of the
request (§16.6 step 8, RFC 5393 §4.2.1), a stateless proxy its whole branch from the request it forwards
(§16.11); the UAC's INVITE carries fields its CANCEL and ACK do not (Supported, Require, Max-Breadth,
Session-Expires), so a value computed from the whole request differs between them.
Stimulus: such an INVITE through the DUT (with a Route beyond the DUT); the branch rings; the UAC cancels; the
branch answers 200 and 487; the 487 is ACKed (by a stateful DUT itself, by the UAC through a stateless one).
Expectation: the CANCEL and the ACK for the 487 that reach the branch carry the top Via branch of the INVITE the
DUT sent there.
"""

import pytest

from sipconform.flows.proxy import await_ack, await_cancel, cancel_upstream, downstream, end_branch, ringing
from sipconform.verdict import precondition
from sipconform.verify.via_branch import same_branch

pytestmark = [pytest.mark.clause("RFC5393-4.2.1-1"), pytest.mark.role("proxy", "stateless-proxy")]

INVITE_ONLY = [("Supported", "100rel, timer"), ("Require", "timer"), ("Max-Breadth", "60"),
               ("Session-Expires", "1800")]


def test_cancel_and_ack_keep_the_invite_branch(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: as above."""
    forwarded = dut.role == "stateless-proxy"
    peers = downstream(sip_peer_factory)
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, peers, headers=INVITE_ONLY, routes_beyond=[f"<{peers[0].uri('uas')};lr>"])
    cancel_upstream(call)
    (branch,) = call.branches
    with precondition(f"{branch.name} gets a CANCEL it can answer "
                      f"({'RFC3261-16.11-1' if forwarded else 'RFC3261-16.10-2'})"):
        cancel = await_cancel(branch)
    problems = same_branch(cancel, branch.invite, at=branch.name, forwarded=forwarded)
    assert not problems, (f"{problems[0]}: the branch must not vary with the request method or with fields only "
                          f"the INVITE carries")
    end_branch(branch, cancel)
    with precondition(f"{branch.name} gets the ACK for its 487 "
                      f"({'RFC3261-16.11-1' if forwarded else 'RFC3261-17.1.1.2-1'})"):
        ack = await_ack(call, branch)
    problems = same_branch(ack, branch.invite, at=branch.name, forwarded=forwarded)
    assert not problems, problems[0]
