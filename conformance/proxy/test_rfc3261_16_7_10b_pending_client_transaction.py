"""RFC 3261 §16.7 step 10 (RFC3261-16.7-10b, DEF): "A pending client transaction is one that has received a
provisional response, but no final response (it is in the proceeding state) and has not had an associated
CANCEL generated for it."

Here: the definition applied: a branch that already answered finally, or was already cancelled, or has
not answered at all, is not pending and gets no (further) CANCEL. Informational: a broken expectation warns.
"""

import pytest

from sipconform.scenario.proxy import (MARK, answer_cancel, await_ack, await_cancel, cancel_upstream, downstream,
                                       end_branch, expect_no_cancel, pause, quiet_window, requests_seen, ringing,
                                       upstream_final)

pytestmark = [pytest.mark.clause("RFC3261-16.7-10b"), pytest.mark.role("proxy")]


def test_branch_with_a_final_response_is_not_pending(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE forked to A and B, both ring; A answers 486; the UAC cancels. Expectation: B gets a
    CANCEL, A gets none."""
    call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2))
    a, b = call.branches
    end_branch(a, status=486)
    await_ack(call, a)
    cancel_upstream(call)
    end_branch(b, await_cancel(b))
    expect_no_cancel(a.peer, call.invite.call_id, quiet_window(dut))


def test_cancelled_branch_is_not_cancelled_again(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE forked to A and B, both ring; the UAC cancels; both branches answer their CANCEL
    200; then A answers its INVITE 200 (the CANCEL crossed it). Expectation: B gets no second CANCEL."""
    call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2))
    cancel_upstream(call)
    a, b = call.branches
    for branch in (a, b):
        answer_cancel(branch, await_cancel(branch))
    pause(b.peer, 2 * dut.timers.t1)  # retransmissions of the DUT's CANCELs already in flight
    before = len(requests_seen(b.peer, "CANCEL", call.invite.call_id))
    a.peer.respond(a.invite, 200, headers=[(MARK, a.name)])
    answer = upstream_final(call)
    if answer.status == 200:
        sip_peer.ack(answer)
    pause(b.peer, quiet_window(dut))
    again = requests_seen(b.peer, "CANCEL", call.invite.call_id)[before:]
    assert not again, f"B got its CANCEL again after A's 200: {len(again)} more at +{again[0].time:.3f} s"
    end_branch(b)


def test_silent_branch_is_not_pending(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE forked to A (rings) and B (silent); A answers 200. Expectation: B gets no CANCEL
    while it has sent no provisional response."""
    call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2), ring=[180, None])
    a, b = call.branches
    a.peer.respond(a.invite, 200, headers=[(MARK, a.name)])
    answer = upstream_final(call)
    if answer.status == 200:
        sip_peer.ack(answer)
    expect_no_cancel(b.peer, call.invite.call_id, quiet_window(dut))
