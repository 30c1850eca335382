"""RFC 5393 §5.4.1 ¶1 (RFC5393-5.4.1-1): "Since CANCEL requests are never proxied, a Max-Breadth header field
value is meaningless in a CANCEL request.  Sending a CANCEL in no way affects the Outgoing Max-Breadth in the
associated INVITE response context.  Receiving a CANCEL in no way affects the Incoming Max-Breadth of the
associated INVITE response context."

Stimulus: INVITE through the DUT; the branch rings; the UAC cancels with a CANCEL carrying ``Max-Breadth: 0``
(which on an INVITE would forbid any branch: 440 Max-Breadth Exceeded).
Expectation: the CANCEL is handled like any other (§16.10): the DUT answers it 200 and cancels the branch; the
branch answers 200 and 487 and the UAC gets the 487.
"""

import pytest

from sipconform.flows.proxy import (await_cancel, await_cancel_response, await_final, cancel_upstream, downstream,
                                    end_branch, ringing)
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC5393-5.4.1-1"), pytest.mark.role("proxy")]


def test_cancel_with_max_breadth_0_is_processed(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: as above."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel = cancel_upstream(call, extra=[("Max-Breadth", "0")])
    with precondition("the DUT answers the UAC's CANCEL (RFC3261-16.10-4)"):
        answer = await_cancel_response(call, cancel)
    assert answer.status == 200, (f"the DUT answered a CANCEL carrying Max-Breadth: 0 with {answer.start_line!r}: "
                                  f"Max-Breadth is meaningless in a CANCEL")
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        end_branch(branch, await_cancel(branch))
    assert await_final(call).status == 487, "the UAC's INVITE was not answered 487 after its CANCEL"
