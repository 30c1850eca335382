"""RFC 3261 §17.1.2.2 ¶5 (RFC3261-17.1.2.2-3, MUST): "Once the client transaction enters the "Completed" state, it
MUST set Timer K to fire in T4 seconds for unreliable transports, and zero seconds for reliable transports."
(Same paragraph: "The "Completed" state exists to buffer any additional response retransmissions that may be
received".)

Here: the client transaction of the CANCEL the proxy sends down a branch, once that branch answered it 200.
Stimulus: INVITE through the DUT; the branch rings; the UAC cancels; the branch answers the DUT's CANCEL 200,
then sends the same 200 twice more (T1 apart), as if its first copy had been lost.
Expectation: the copies are absorbed: no CANCEL copy later than T1/2 after the first 200, no ACK (a CANCEL's
response is never ACKed) and no response to the UAC's CANCEL relayed from the branch. The branch then answers
487, which is ACKed.
"""

import pytest

from sipconform.flows.proxy import (answer_cancel, await_ack, await_cancel, cancel_upstream, downstream, end_branch,
                                    relayed, requests_seen, resend, responses_seen, ringing)
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-17.1.2.2-3"), pytest.mark.role("proxy"), pytest.mark.transport("udp")]


def test_retransmitted_200_to_cancel_is_absorbed(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: as above, watched for 10*T1 after the last copy."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    upstream_cancel = cancel_upstream(call)
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        cancel = await_cancel(branch)
    ok = answer_cancel(branch, cancel)
    answered = branch.peer.reactor.elapsed()
    for _ in range(2):
        branch.peer.reactor.run_for(dut.timers.t1)
        resend(branch, ok)
    branch.peer.reactor.run_for(dut.timers.quiet)
    late = [r.time - answered for r in requests_seen(branch.peer, "CANCEL", call.invite.call_id)
            if r.time > answered + dut.timers.t1 / 2]
    assert not late, (f"the DUT sent its CANCEL again {late[0]:.3f} s after the branch's 200 to it: the 200's "
                      f"retransmissions were not absorbed by its completed CANCEL transaction")
    acks = requests_seen(branch.peer, "ACK", call.invite.call_id)
    assert not acks, f"the DUT ACKed the 200 to its CANCEL: {acks[0].message.start_line!r}"  # type: ignore[union-attr]
    leaked = [r.start_line for r in responses_seen(sip_peer, upstream_cancel) if relayed(r)]
    assert not leaked, f"the DUT forwarded the branch's 200 to its CANCEL upstream: {leaked}"
    end_branch(branch)
    with precondition(f"the DUT ACKs {branch.name}'s final response (RFC3261-17.1.1.2-1)"):
        await_ack(call, branch)
