"""RFC 3261 §16.7 step 2 (RFC3261-16.7-2, MUST): "For an INVITE transaction, if the response is a provisional
response with status codes 101 to 199 inclusive (i.e., anything but 100), the proxy MUST reset timer C for that
client transaction."

Stimulus: INVITE through the DUT; the branch sends 180, then 180 again every half Timer C of the DUT (the
profile's ``timer_c``, else the RFC's 3 minutes), for twice Timer C in all.
Expectation: the DUT neither cancels the branch nor sends the UAC a final response in that time. Then the UAC
cancels and the branch answers 200 and 487.
"""

import pytest

from sipconform.flows.proxy import (await_cancel, cancel_upstream, cancels_after, downstream, end_branch, finals_after,
                                    provisional, ringing)
from sipconform.flows.proxy_profile import timer_c
from sipconform.verdict import precondition
from sipconform.verify.silence import no_cancel, no_final

pytestmark = [pytest.mark.clause("RFC3261-16.7-2"), pytest.mark.role("proxy"), pytest.mark.slow]


def test_branch_that_keeps_ringing_is_not_given_up(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: as above."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    branch = call.branches[0]
    value, _declared = timer_c(dut)
    for _ in range(3):
        branch.peer.reactor.run_for(value / 2)
        provisional(branch, 180)
    problems = no_cancel(branch.name, cancels_after(branch.peer, call.invite.call_id, value / 2))
    assert not problems, problems[0]
    problems = no_final(finals_after(call, 0.0))
    assert not problems, problems[0]
    cancel_upstream(call)
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        end_branch(branch, await_cancel(branch))
