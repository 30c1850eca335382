"""RFC 3261 §17.1.1.2 ¶8 (RFC3261-17.1.1.2-2, MUST / MUST NOT): "Any retransmissions of the final response that
are received while in the "Completed" state MUST cause the ACK to be re-passed to the transport layer for
retransmission, but the newly received response MUST NOT be passed up to the TU."

Here: the proxy's INVITE client transaction on a cancelled branch.
Stimulus: INVITE through the DUT (UDP); the branch rings; the UAC cancels; the branch answers the DUT's CANCEL
200 and the INVITE 487, then sends that 487 twice more (2*T1 apart), as if the DUT's ACK had been lost.
Expectation: one ACK per copy of the 487 (three in all). That the UAC gets the 487 is a precondition (§16.7 step 6).
"""

import pytest

from sipconform.flows.proxy import (ack_again, await_ack, await_cancel, await_final, cancel_upstream, downstream,
                                    end_branch, ringing)
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.2-2"), pytest.mark.role("proxy"), pytest.mark.transport("udp")]


def test_each_copy_of_the_487_is_acked(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: after each copy an ACK within 4*T1 (+0.5 s)."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel_upstream(call)
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        final = end_branch(branch, await_cancel(branch))
    with precondition(f"the DUT ACKs {branch.name}'s final response (RFC3261-17.1.1.2-1)"):
        await_ack(call, branch)
    with precondition("the UAC gets the branch's 487 (RFC3261-16.7-6a)"):
        assert await_final(call).status == 487, "the UAC's INVITE was not answered with the branch's 487"
    for copy in (2, 3):
        assert ack_again(call, branch, final, dut.timers.settle), (
            f"the DUT did not ACK copy {copy} of the branch's 487: each retransmission of the final response "
            f"received in Completed must make it send the ACK again")
