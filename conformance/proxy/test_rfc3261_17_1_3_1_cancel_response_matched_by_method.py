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
If the UAC gets no final response at all (and nothing relayed to its CANCEL), a control call answered 487 first
tells the two apart: a DUT that sends the final there lost the 487 to the 200 (a fail); one that sends none there
either sends no final response at all (inconclusive, RFC3261-16.7-6a's).
"""

import pytest

from sipconform.flows.proxy import (ProxiedCall, answer_cancel, await_ack, await_cancel, cancel_upstream, downstream,
                                    end_branch, relayed, responses_seen, ringing)
from sipconform.sip import Request
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3261-17.1.3-1"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("order", ["200-then-487", "487-then-200"])
def test_200_to_cancel_and_487_to_invite_reach_their_own_transactions(sip_peer, sip_peer_factory, dut, order):
    """Stimulus: as above. Expectation: as above, watched for 10*T1."""
    call, upstream_cancel = cancelled_in_order(sip_peer, dut, downstream(sip_peer_factory), order)
    finals = [r.start_line for r in responses_seen(sip_peer, call.invite) if r.status >= 200]
    leaked = [r.start_line for r in responses_seen(sip_peer, upstream_cancel) if relayed(r)]
    if not finals and not leaked:
        control, _ = cancelled_in_order(sip_peer, dut, [sip_peer_factory.make(name="control")], "487-then-200")
        if not [r for r in responses_seen(sip_peer, control.invite) if r.status >= 200]:
            inconclusive("precondition not reached: the UAC gets a final response to its INVITE (RFC3261-16.7-6a): "
                         "none came, nor any relayed response to its CANCEL, and none in a control call whose branch "
                         "answered 487 before the 200 to the CANCEL")
    assert finals and finals[0].startswith("SIP/2.0 487"), (
        f"the UAC's INVITE got {finals or 'no final response'} instead of the branch's 487: the DUT did not tell "
        f"the branch's 200 (CSeq CANCEL) from a response to its INVITE (same branch, other CSeq method)")
    assert not leaked, f"the branch's 200 to the DUT's CANCEL reached the UAC: {leaked}"


def cancelled_in_order(sip_peer, dut, peers, order) -> tuple[ProxiedCall, Request]:
    """Ring the branch, cancel at the UAC, answer the DUT's CANCEL 200 and the INVITE 487 in ``order``, wait for the
    DUT's ACK and 10*T1 more: the call and the UAC's CANCEL."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, peers)
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
    return call, upstream_cancel
