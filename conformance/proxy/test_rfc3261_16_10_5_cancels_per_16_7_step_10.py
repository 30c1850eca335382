"""RFC 3261 §16.10 ¶3 (RFC3261-16.10-5, MUST): "Furthermore, the element MUST generate CANCEL requests for all
pending client transactions in the context as described in Section 16.7 step 10."

Here: after the UAC's CANCEL, each pending branch gets a CANCEL of its own INVITE (its top Via branch; how
the rest of it is built is judged by the §9.1 clauses), and a branch that has already answered finally (not
pending) gets none.
"""

import pytest

from sipconform.scenario.proxy import (LEGS, await_ack, await_cancel, cancel_upstream, check_cancels_invite, downstream,
                                       downstream_transport, end_branch, expect_no_cancel, quiet_window, ringing)

pytestmark = [pytest.mark.clause("RFC3261-16.10-5"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
@pytest.mark.parametrize("done_first", [False, True], ids=["all-ringing", "one-already-486"])
def test_each_pending_branch_gets_its_own_cancel(sip_peer, sip_peer_factory, dut, sip_transport, done_first, legs):
    """Stimulus: INVITE forked to three ringing branches (the first answers 486 before the UAC cancels, in one
    variant); the UAC cancels. Expectation: each pending branch gets a CANCEL of its INVITE (the branch of its
    top Via); the branch that answered 486 gets none."""
    peers = downstream(sip_peer_factory, 3, downstream_transport(dut, sip_transport, legs))
    call = ringing(sip_peer, dut, peers)
    pending = list(call.branches)
    if done_first:
        done = pending.pop(0)
        end_branch(done, status=486)
        await_ack(call, done)
    cancel_upstream(call)
    for branch in pending:
        cancel = await_cancel(branch, judged=True)
        check_cancels_invite(branch, cancel)
        end_branch(branch, cancel)
    if done_first:
        expect_no_cancel(done.peer, call.invite.call_id, quiet_window(dut))
