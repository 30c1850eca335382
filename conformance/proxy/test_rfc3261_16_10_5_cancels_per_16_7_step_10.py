"""RFC 3261 §16.10 ¶3 (RFC3261-16.10-5, MUST): "Furthermore, the element MUST generate CANCEL requests for all
pending client transactions in the context as described in Section 16.7 step 10."

Here: after the UAC's CANCEL, each pending branch gets a CANCEL of its own INVITE (its top Via branch; how
the rest of it is built is judged by the §9.1 clauses), and a branch that has already answered finally (not
pending) gets none.
"""

import pytest

from sipconform.flows.proxy import (LEGS, await_ack, cancel_received, cancel_upstream, cancels_after, downstream,
                                    end_branch, ringing)
from sipconform.flows.proxy_profile import downstream_transport
from sipconform.verdict import not_applicable, precondition
from sipconform.verify.via_branch import cancels_invite
from sipconform.verify.silence import no_cancel

pytestmark = [pytest.mark.clause("RFC3261-16.10-5"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
@pytest.mark.parametrize("done_first", [False, True], ids=["all-ringing", "one-already-486"])
def test_each_pending_branch_gets_its_own_cancel(sip_peer, sip_peer_factory, dut, sip_transport, done_first, legs):
    """Stimulus: INVITE forked to three ringing branches (the first answers 486 before the UAC cancels, in one
    variant); the UAC cancels. Expectation: each pending branch gets a CANCEL of its INVITE (the branch of its
    top Via); the branch that answered 486 gets none."""
    leg = downstream_transport(dut, sip_transport, legs)
    if leg is None:
        not_applicable(f"the DUT does not run both UDP and TCP, so it cannot forward {sip_transport.upper()} to the "
                       "other transport")
    peers = downstream(sip_peer_factory, 3, leg)
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, peers)
    pending = list(call.branches)
    if done_first:
        done = pending.pop(0)
        end_branch(done, status=486)
        with precondition(f"the DUT ACKs {done.name}'s final response (RFC3261-17.1.1.2-1)"):
            await_ack(call, done)
    cancel_upstream(call)
    problems = []
    for branch in pending:
        cancel = cancel_received(branch)
        problems += cancels_invite(branch.invite, cancel, at=branch.name)
        with precondition(f"{branch.name} can answer the DUT's CANCEL (RFC3261-9.1-4)"):
            end_branch(branch, cancel)
    if done_first:
        problems += no_cancel(done.name, cancels_after(done.peer, call.invite.call_id, dut.timers.quiet))
    assert not problems, "; ".join(problems)
