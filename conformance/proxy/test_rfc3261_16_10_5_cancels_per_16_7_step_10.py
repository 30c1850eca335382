"""RFC 3261 §16.10 ¶3 (RFC3261-16.10-5, MUST): "Furthermore, the element MUST generate CANCEL requests for all
pending client transactions in the context as described in Section 16.7 step 10."

Here: after the UAC's CANCEL, each pending branch gets a CANCEL built per §9.1 from its own INVITE, and
a branch that has already answered finally (not pending) gets none.
"""

import pytest

from sipconform.scenario.proxy import (LEGS, await_cancel, cancel_problems, cancel_upstream, downstream,
                                       downstream_transport, end_branch, expect_no_cancel, quiet_window, ringing)

pytestmark = [pytest.mark.clause("RFC3261-16.10-5"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
@pytest.mark.parametrize("done_first", [False, True], ids=["all-ringing", "one-already-486"])
def test_each_pending_branch_gets_its_own_cancel(sip_peer, sip_peer_factory, dut, sip_transport, done_first, legs):
    """Stimulus: INVITE forked to three ringing branches (the first answers 486 before the UAC cancels, in one
    variant); the UAC cancels. Expectation: each pending branch gets a CANCEL that matches its INVITE per §9.1
    (Request-URI, Call-ID, From, To, CSeq, the single Via with its branch, Route; no Require); the branch that
    answered 486 gets none."""
    peers = downstream(sip_peer_factory, 3, downstream_transport(dut, sip_transport, legs))
    call = ringing(sip_peer, dut, peers)
    pending = list(call.branches)
    if done_first:
        done = pending.pop(0)
        end_branch(done, status=486)
        done.peer.expect_request("ACK", where=call.is_ours)
    cancel_upstream(call)
    for branch in pending:
        cancel = await_cancel(branch)
        problems = cancel_problems(branch.invite, cancel)
        assert not problems, f"{branch.name}'s CANCEL does not match its INVITE: " + "; ".join(problems)
        end_branch(branch, cancel)
    if done_first:
        expect_no_cancel(done.peer, call.invite.call_id, quiet_window(dut))
