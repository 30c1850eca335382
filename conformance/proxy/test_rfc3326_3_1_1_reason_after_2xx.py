"""RFC 3326 §3.1 ¶1 (RFC3326-3.1-1, INFO): "The forking proxy includes this status code in a Reason header
field in the CANCEL request that it sends to the rest of the branches."

Informational (an example in the RFC, not a requirement): a missing or different Reason is a warn.
"""

import pytest

from sipconform.flows.proxy import MARK, await_cancel, await_final, downstream, end_branch, ringing
from sipconform.verdict import precondition
from sipconform.verify.reason import sip_causes

pytestmark = [pytest.mark.clause("RFC3326-3.1-1"), pytest.mark.role("proxy")]


def test_cancel_after_200_says_cause_200(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE forked to A and B, both ring; A answers 200. Expectation: the DUT's CANCEL to B carries
    ``Reason: SIP;cause=200``."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2))
    a, b = call.branches
    a.peer.respond(a.invite, 200, headers=[(MARK, a.name)])
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        sip_peer.ack(await_final(call))
    with precondition(f"the DUT sends {b.name} a CANCEL it can answer (RFC3261-16.7-10)"):
        cancel = await_cancel(b, within=dut.timers.quiet)
    end_branch(b, cancel)
    assert "200" in sip_causes(cancel.header_values("reason")), (
        f"the CANCEL after a 200 on another branch has Reason {cancel.header_values('reason')}")
