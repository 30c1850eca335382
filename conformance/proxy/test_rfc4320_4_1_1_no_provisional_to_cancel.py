"""RFC 4320 §4.1 ¶1 (RFC4320-4.1-1, MUST NOT): "An SIP element MUST NOT send any provisional response with a
Status- Code other than 100 to a non-INVITE request."

Here: the non-INVITE request is the UAC's CANCEL, matched by the proxy, whose branches are slow to answer
the proxy's own CANCELs (or never do).
"""

import pytest

from sipconform.flows.proxy import (await_cancel, await_final, cancel_upstream, downstream, end_branch, responses_seen,
                                    ringing)
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC4320-4.1-1"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("branches", [1, 2], ids=["one-branch", "two-branches"])
def test_cancel_gets_no_1xx_but_100(sip_peer, sip_peer_factory, dut, branches):
    """Stimulus: INVITE through the DUT to 1 or 2 ringing branches; the UAC cancels; the branches leave the
    DUT's CANCELs unanswered for 10*T1 (at least 1 s), then answer 200 and 487. Expectation: no response to the
    UAC's CANCEL is a provisional other than 100."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, branches))
    cancel = cancel_upstream(call)
    with precondition("the DUT sends each branch a CANCEL it can answer (RFC3261-16.10-2)"):
        cancels = [await_cancel(branch) for branch in call.branches]
    sip_peer.reactor.run_for(dut.timers.quiet)
    for branch, downstream_cancel in zip(call.branches, cancels, strict=False):
        end_branch(branch, downstream_cancel)
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        await_final(call)
    bad = [r.start_line for r in responses_seen(sip_peer, cancel) if 100 < r.status < 200]
    assert not bad, f"the UAC's CANCEL got provisional responses other than 100: {bad}"
