"""RFC 3261 §16.7 step 5 (RFC3261-16.7-5a, SHOULD / MUST NOT): "If a 6xx response is received, it is not
immediately forwarded, but the stateful proxy SHOULD cancel all client pending transactions as described in
Section 10, and it MUST NOT create any new branches in this context."
"""

import pytest

from sipconform.flows.proxy import await_final, cancel_received, downstream, end_branch, finals_after, ringing
from sipconform.peer import NoMessage
from sipconform.verdict import precondition, warn
from sipconform.verify.silence import no_final

pytestmark = [pytest.mark.clause("RFC3261-16.7-5a"), pytest.mark.role("proxy")]


def test_603_on_one_branch_cancels_the_other(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE forked by the DUT to A and B, both ring; A answers 603. Expectation: B gets a CANCEL
    (SHOULD); no branch gets a new INVITE; the UAC gets no final response before B's."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2))
    a, b = call.branches
    end_branch(a, status=603)
    window = dut.timers.quiet
    try:
        cancel = cancel_received(b, within=window)
    except NoMessage:
        cancel = None
    problems = no_final(finals_after(call, window))
    assert not problems, problems[0]
    for branch in (a, b):
        again = [r for r in branch.peer.unconsumed() if getattr(r, "method", "") == "INVITE" and call.is_ours(r)]
        assert not again, f"the DUT created a new branch after the 6xx: {branch.name} got another INVITE"
    with precondition(f"{b.name} can answer the DUT's CANCEL (RFC3261-9.1-4)"):
        end_branch(b, cancel, status=487 if cancel else 486)
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        await_final(call)  # which final it is (the 6xx, §16.7 step 6) is RFC3261-16.7-6a's
    if cancel is None:
        warn(f"after A's 603 the DUT did not cancel the pending branch B within {window:.2f} s")
