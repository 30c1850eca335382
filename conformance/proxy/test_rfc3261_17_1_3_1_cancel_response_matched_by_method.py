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

from sipconform.scenario.proxy import (answer_cancel, await_ack, await_cancel, cancel_upstream, downstream, end_branch,
                                       pause, quiet_window, relayed, responses_seen, ringing)

pytestmark = [pytest.mark.clause("RFC3261-17.1.3-1"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("order", ["200-then-487", "487-then-200"])
def test_200_to_cancel_and_487_to_invite_reach_their_own_transactions(sip_peer, sip_peer_factory, dut, order):
    """Stimulus: as above. Expectation: as above, watched for 10*T1."""
    call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    upstream_cancel = cancel_upstream(call)
    branch = call.branches[0]
    cancel = await_cancel(branch)
    if order == "200-then-487":
        end_branch(branch, cancel)
    else:
        end_branch(branch)
        answer_cancel(branch, cancel)
    await_ack(call, branch)
    pause(sip_peer, quiet_window(dut))
    finals = [r.start_line for r in responses_seen(sip_peer, call.invite) if r.status >= 200]
    # no final at all is judged here too: a DUT that takes the 200 (CSeq CANCEL) for its INVITE's final may relay
    # it broken (no Via left) and swallow the 487, and nothing at the UAC tells that from a missing final
    assert finals and finals[0].startswith("SIP/2.0 487"), (
        f"the UAC's INVITE got {finals or 'no final response'} instead of the branch's 487: the DUT did not tell "
        f"the branch's 200 (CSeq CANCEL) from a response to its INVITE (same branch, other CSeq method)")
    leaked = [r.start_line for r in responses_seen(sip_peer, upstream_cancel) if relayed(r)]
    assert not leaked, f"the branch's 200 to the DUT's CANCEL reached the UAC: {leaked}"
