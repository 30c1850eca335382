"""RFC 3261 §16.7 step 10 (RFC3261-16.7-10b, DEF): "A pending client transaction is one that has received a
provisional response, but no final response (it is in the proceeding state) and has not had an associated
CANCEL generated for it."

Here: the definition applied: a branch that already answered finally, or was already cancelled, or has
not answered at all, is not pending and gets no (further) CANCEL. Informational: a broken expectation warns.
"""

import pytest

from sipconform.flows.proxy import (MARK, answer_cancel, await_ack, await_cancel, await_final, cancel_upstream,
                                    cancels_after, downstream, end_branch, requests_seen, ringing)
from sipconform.verdict import precondition
from sipconform.verify.silence import no_cancel

pytestmark = [pytest.mark.clause("RFC3261-16.7-10b"), pytest.mark.role("proxy")]


def test_branch_with_a_final_response_is_not_pending(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE forked to A and B, both ring; A answers 486; the UAC cancels. Expectation: B gets a
    CANCEL, A gets none."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2))
    a, b = call.branches
    end_branch(a, status=486)
    with precondition(f"the DUT ACKs {a.name}'s final response (RFC3261-17.1.1.2-1)"):
        await_ack(call, a)
    cancel_upstream(call)
    with precondition(f"the DUT sends {b.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        end_branch(b, await_cancel(b))
    problems = no_cancel(a.name, cancels_after(a.peer, call.invite.call_id, dut.timers.quiet))
    assert not problems, problems[0]


def test_cancelled_branch_is_not_cancelled_again(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE forked to A and B, both ring; the UAC cancels; both branches answer their CANCEL
    200; then A answers its INVITE 200 (the CANCEL crossed it). Expectation: B gets no second CANCEL."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2))
    cancel_upstream(call)
    a, b = call.branches
    for branch in (a, b):
        with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
            answer_cancel(branch, await_cancel(branch))
    b.peer.reactor.run_for(dut.timers.settle)  # retransmissions of the DUT's CANCELs already in flight
    before = len(requests_seen(b.peer, "CANCEL", call.invite.call_id))
    a.peer.respond(a.invite, 200, headers=[(MARK, a.name)])
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        answer = await_final(call)
    if answer.status == 200:
        sip_peer.ack(answer)
    b.peer.reactor.run_for(dut.timers.quiet)
    again = requests_seen(b.peer, "CANCEL", call.invite.call_id)[before:]
    assert not again, f"B got its CANCEL again after A's 200: {len(again)} more at +{again[0].time:.3f} s"
    end_branch(b)


def test_silent_branch_is_not_pending(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE forked to A (rings) and B (silent); A answers 200. Expectation: B gets no CANCEL
    while it has sent no provisional response."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2), ring=[180, None])
    a, b = call.branches
    a.peer.respond(a.invite, 200, headers=[(MARK, a.name)])
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        answer = await_final(call)
    if answer.status == 200:
        sip_peer.ack(answer)
    problems = no_cancel(b.name, cancels_after(b.peer, call.invite.call_id, dut.timers.quiet))
    assert not problems, problems[0]
