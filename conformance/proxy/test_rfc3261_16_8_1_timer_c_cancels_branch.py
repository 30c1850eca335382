"""RFC 3261 §16.8 ¶1 (RFC3261-16.8-1, MUST): "If timer C should fire, the proxy MUST either reset the timer with
any value it chooses, or terminate the client transaction.  If the client transaction has received a
provisional response, the proxy MUST generate a CANCEL request matching that transaction.  If the client
transaction has not received a provisional response, the proxy MUST behave as if the transaction received a 408
(Request Timeout) response."

Stimulus: INVITE through the DUT; the branch sends 180 and then nothing, for Timer C of the DUT (the profile's
``timer_c``, else the RFC's 3 minutes) and half of it again.
Expectation: when the DUT gives up on the branch (a final to the UAC, or a CANCEL), it sends the branch a CANCEL
of that INVITE client transaction (its top Via branch; the §9.1 clauses judge how it is built); the branch
answers 200 and 487, the 487 is ACKed and
the UAC gets a final response. If the DUT gives up on nothing in that time, it may have reset Timer C, which
§16.8 allows: inconclusive.
"""

import pytest

from sipconform.flows.proxy import (await_ack, await_final, cancel_received, downstream, end_branch, gave_up,
                                    requests_seen, ringing)
from sipconform.flows.proxy_profile import timer_c
from sipconform.verdict import Inconclusive, precondition
from sipconform.verify.via_branch import cancels_invite

pytestmark = [pytest.mark.clause("RFC3261-16.8-1"), pytest.mark.role("proxy"), pytest.mark.slow]


def test_branch_with_provisional_is_cancelled_when_timer_c_fires(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: as above (the CANCEL within 10*T1 of a final to the UAC, if that came
    first)."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    branch = call.branches[0]
    value, declared = timer_c(dut)
    window = 1.5 * value + dut.timers.quiet
    if not branch.peer.wait_until(lambda: gave_up(call, branch) is not None, window):
        raise Inconclusive(f"the DUT gave up on the ringing branch within {window:.1f} s neither by CANCEL nor by a "
                           f"final response (Timer C {value:g} s, {'declared' if declared else 'the RFC minimum'}; "
                           f"it may have reset Timer C, which §16.8 allows)")
    branch.peer.wait_until(lambda: bool(requests_seen(branch.peer, "CANCEL", call.invite.call_id)), dut.timers.quiet)
    assert requests_seen(branch.peer, "CANCEL", call.invite.call_id), (
        f"the DUT ended the call ({gave_up(call, branch)}) without cancelling the branch, which had sent 180: "
        f"when Timer C fires on a client transaction with a provisional response the proxy must CANCEL it")
    cancel = cancel_received(branch)
    with precondition(f"{branch.name} can answer the DUT's CANCEL (RFC3261-9.1-4)"):
        end_branch(branch, cancel)
    with precondition(f"the DUT ACKs {branch.name}'s final response (RFC3261-17.1.1.2-1)"):
        await_ack(call, branch)
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        await_final(call)
    problems = cancels_invite(branch.invite, cancel, at=branch.name)
    assert not problems, problems[0]
