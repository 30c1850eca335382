"""RFC 6026 §8.4 (RFC6026-8.4-2, MUST / MUST NOT; replaces RFC 3261 §17.1.1.2): "Any retransmissions of a response
with status code 300-699 that are received while in the "Completed" state MUST cause the ACK to be re-passed to
the transport layer for retransmission, but the newly received response MUST NOT be passed up to the TU."

Here: the proxy's INVITE client transaction on a branch that rejects the call (no CANCEL involved; the 487
case is RFC3261-17.1.1.2-2).
Stimulus: INVITE through the DUT (UDP); the branch rings, then rejects it (486 or 603) and sends that final
twice more (2*T1 apart), as if the DUT's ACK had been lost.
Expectation: one ACK per copy. That the UAC gets the final is a precondition (RFC 3261 §16.7 step 6).
"""

import pytest

from sipconform.flows.proxy import ack_again, await_ack, await_final, downstream, end_branch, ringing
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC6026-8.4-2"), pytest.mark.role("proxy"), pytest.mark.transport("udp")]


@pytest.mark.parametrize("status", [486, 603])
def test_each_copy_of_a_rejection_is_acked(sip_peer, sip_peer_factory, dut, status):
    """Stimulus: as above. Expectation: after each copy an ACK within 4*T1 (+0.5 s)."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    branch = call.branches[0]
    final = end_branch(branch, status=status)
    with precondition(f"the DUT ACKs {branch.name}'s final response (RFC3261-17.1.1.2-1)"):
        await_ack(call, branch)
    with precondition(f"the UAC gets the branch's {status} (RFC3261-16.7-6a)"):
        assert await_final(call).status == status, f"the UAC's INVITE was not answered with the branch's {status}"
    for copy in (2, 3):
        assert ack_again(call, branch, final, dut.timers.settle), (
            f"the DUT did not ACK copy {copy} of the branch's {status}: each retransmission of a 300-699 final "
            f"received in Completed must make it send the ACK again")
