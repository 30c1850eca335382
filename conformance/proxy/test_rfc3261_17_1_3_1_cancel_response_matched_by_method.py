"""RFC 3261 §17.1.3 ¶3 item 2 (RFC3261-17.1.3-1, MUST): a response matches a client transaction "If the method
parameter in the CSeq header field matches the method of the request that created the transaction.  The method
is needed since a CANCEL request constitutes a different transaction, but shares the same value of the branch
parameter."

Here: the proxy's CANCEL down a branch carries the branch of its INVITE there (§9.1); the branch's 200 to the
CANCEL and its 487 to the INVITE share that branch and differ only in the CSeq method.
Stimulus: INVITE through the DUT; the branch rings; the UAC cancels; the branch answers the DUT's CANCEL 200
and the INVITE 487, in either order.
Expectation: the 200 (CSeq CANCEL) is no answer to the INVITE: the UAC gets 487, never a 2xx, to its INVITE and
no response to its CANCEL from the branch; the 487 is ACKed by the DUT's INVITE client transaction.
"""

import pytest

from sipconform.flows.proxy import (answer_cancel, await_ack, await_cancel, cancel_upstream, downstream, end_branch,
                                    relayed, responses_seen, ringing)
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3261-17.1.3-1"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("order", ["200-then-487", "487-then-200"])
def test_200_to_cancel_and_487_to_invite_reach_their_own_transactions(sip_peer, sip_peer_factory, dut, order):
    """Stimulus: as above. Expectation: as above, watched for 10*T1."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    upstream_cancel = cancel_upstream(call)
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        cancel = await_cancel(branch)
    if order == "200-then-487":
        end_branch(branch, cancel)
    else:
        end_branch(branch)
        answer_cancel(branch, cancel)
    with precondition(f"the DUT ACKs {branch.name}'s final response (RFC3261-17.1.1.2-1)"):
        await_ack(call, branch)
    sip_peer.reactor.run_for(dut.timers.quiet)
    finals = [r.start_line for r in responses_seen(sip_peer, call.invite) if r.status >= 200]
    leaked = [r.start_line for r in responses_seen(sip_peer, upstream_cancel) if relayed(r)]
    if not finals and not leaked:
        # nothing at the UAC tells a DUT that took the 200 (CSeq CANCEL) for its INVITE's final and relayed it
        # broken from one that sends no final at all: the clause was not exercised
        inconclusive(f"precondition not reached: the UAC gets a final response to its INVITE (RFC3261-16.7-6a): none "
                     f"came within {dut.timers.quiet:.3g} s of the DUT's ACK, nor any relayed response to its CANCEL")
    assert finals and finals[0].startswith("SIP/2.0 487"), (
        f"the UAC's INVITE got {finals or 'no final response'} instead of the branch's 487: the DUT did not tell "
        f"the branch's 200 (CSeq CANCEL) from a response to its INVITE (same branch, other CSeq method)")
    assert not leaked, f"the branch's 200 to the DUT's CANCEL reached the UAC: {leaked}"
