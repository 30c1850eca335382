"""RFC 3261 §16.6 step 11 (RFC3261-16.6-11, MUST): "Timer C MUST be set for each client transaction when an INVITE
request is proxied.  The timer MUST be larger than 3 minutes."

Observable when Timer C fires (§16.8): the proxy cancels the branch or answers the UAC. Watched for 3 minutes
whatever the profile declares (a lab's ``timer_c`` under 3 minutes is a deviation the test shows).
Stimulus: INVITE through the DUT; the branch sends 180 and then nothing.
Expectation: for 3 minutes after the 180 the DUT neither cancels the branch nor sends the UAC a final response.
Then the UAC cancels and the branch answers 200 and 487.
"""

import pytest

from sipconform.flows.proxy import await_cancel, cancel_upstream, downstream, end_branch, gave_up, ringing
from sipconform.flows.proxy_profile import RFC_TIMER_C
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-16.6-11"), pytest.mark.role("proxy"), pytest.mark.slow]


def test_ringing_branch_is_kept_for_3_minutes(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: as above."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    branch = call.branches[0]
    rang = sip_peer.reactor.elapsed()
    if branch.peer.wait_until(lambda: gave_up(call, branch) is not None, RFC_TIMER_C):
        after = sip_peer.reactor.elapsed() - rang
        pytest.fail(f"the DUT gave up on the ringing branch after {after:.1f} s ({gave_up(call, branch)}): Timer C "
                    f"must be larger than 3 minutes")
    cancel_upstream(call)
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        end_branch(branch, await_cancel(branch))
