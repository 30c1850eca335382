"""RFC 3261 §9.1 ¶10 (RFC3261-9.1-13, IMPL): "Note that both the transaction corresponding to the original
request and the CANCEL transaction will complete independently."

Here: whatever happens to the proxy's CANCEL on a branch (200 before or after the 487, 481, no answer at
all), the branch's INVITE transaction ends by itself: the 487 is ACKed and the UAC gets its final response.
"""

import pytest

from sipconform.flows.proxy import (answer_cancel, await_ack, await_cancel, await_final, cancel_upstream, downstream,
                                    end_branch, ringing)
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-9.1-13"), pytest.mark.role("proxy")]

ORDERINGS = {
    "200-then-487": (200, True),
    "487-then-200": (200, False),
    "481-then-487": (481, True),
    "487-only": (None, False),
}


@pytest.mark.parametrize("ordering", list(ORDERINGS))
def test_487_is_acked_whatever_the_cancel_got(sip_peer, sip_peer_factory, dut, ordering):
    """Stimulus: INVITE through the DUT; the branch rings; the UAC cancels; the branch answers the DUT's
    CANCEL and the INVITE in the given order (or never answers the CANCEL). Expectation: the DUT ACKs the
    487 and the UAC gets a final response to its INVITE."""
    status, cancel_first = ORDERINGS[ordering]
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel_upstream(call)
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        cancel = await_cancel(branch)
    if status is not None and cancel_first:
        answer_cancel(branch, cancel, status)
    end_branch(branch)
    if status is not None and not cancel_first:
        answer_cancel(branch, cancel, status)
    # a 487 after the CANCEL's 200 is ACKed by any INVITE client transaction (RFC3261-17.1.1.2-1's); the other
    # orderings are where the two transactions must not wait for each other
    if ordering in ("481-then-487", "487-only"):
        await_ack(call, branch)
    else:
        with precondition(f"the DUT ACKs {branch.name}'s final response (RFC3261-17.1.1.2-1)"):
            await_ack(call, branch)
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        final = await_final(call)
    assert final.status >= 300, f"the cancelled INVITE was answered {final.start_line!r}"
