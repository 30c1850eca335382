"""RFC 3261 §16.7 step 2 (RFC3261-16.7-2, MUST): "For an INVITE transaction, if the response is a provisional
response with status codes 101 to 199 inclusive (i.e., anything but 100), the proxy MUST reset timer C for that
client transaction."

Stimulus: INVITE through the DUT; the branch sends 180, then 180 again every half Timer C of the DUT (the
profile's ``timer_c``, else the RFC's 3 minutes), for twice Timer C in all.
Expectation: the DUT neither cancels the branch nor sends the UAC a final response in that time. Then the UAC
cancels and the branch answers 200 and 487.
"""

import pytest

from sipconform.scenario.proxy import (await_cancel, cancel_upstream, downstream, end_branch, expect_no_cancel,
                                       expect_no_final, pause, provisional, ringing, timer_c)

pytestmark = [pytest.mark.clause("RFC3261-16.7-2"), pytest.mark.role("proxy"), pytest.mark.slow]


def test_branch_that_keeps_ringing_is_not_given_up(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: as above."""
    call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    branch = call.branches[0]
    value, _declared = timer_c(dut)
    for _ in range(3):
        pause(branch.peer, value / 2)
        provisional(branch, 180)
    expect_no_cancel(branch.peer, call.invite.call_id, value / 2)
    expect_no_final(call, 0.0)
    cancel_upstream(call)
    end_branch(branch, await_cancel(branch))
