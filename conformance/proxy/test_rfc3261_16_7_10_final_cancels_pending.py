"""RFC 3261 §16.7 step 10 (RFC3261-16.7-10, MUST / SHOULD): "If the forwarded response was a final response,
the proxy MUST generate a CANCEL request for all pending client transactions associated with this response
context. A proxy SHOULD also generate a CANCEL request for all pending client transactions associated with
this response context when it receives a 6xx response."
"""

import pytest

from sipconform.scenario.proxy import (MARK, await_cancel, check_cancels_invite, downstream, end_branch, quiet_window,
                                       relayed, ringing, upstream_final)
from sipconform.verdict import warn

pytestmark = [pytest.mark.clause("RFC3261-16.7-10"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("branches", [2, 3], ids=["two-branches", "three-branches"])
def test_200_on_one_branch_cancels_the_others(sip_peer, sip_peer_factory, dut, branches):
    """Stimulus: INVITE forked by the DUT to 2 or 3 branches, all ring; the first answers 200. Expectation: the
    UAC gets that 200; every other branch gets a CANCEL of its own INVITE (its top Via branch; the §9.1 clauses
    judge how it is built; RFC3261-16.7-5c that their 487s are not forwarded)."""
    call = ringing(sip_peer, dut, downstream(sip_peer_factory, branches))
    winner, *others = call.branches
    winner.peer.respond(winner.invite, 200, headers=[(MARK, winner.name)])
    answer = upstream_final(call)
    assert answer.status == 200 and relayed(answer) == winner.name, f"the UAC got {answer.start_line!r}"
    sip_peer.ack(answer)
    for branch in others:
        cancel = await_cancel(branch, within=quiet_window(dut), judged=True)
        check_cancels_invite(branch, cancel)
        end_branch(branch, cancel)


def test_603_on_one_branch_cancels_the_other(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE forked to A and B, both ring; A answers 603. Expectation (SHOULD): B gets a CANCEL
    of its INVITE."""
    call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2))
    a, b = call.branches
    end_branch(a, status=603)
    try:
        cancel = await_cancel(b, within=quiet_window(dut), judged=True)
    except AssertionError:
        end_branch(b, status=486)
        warn("after a 603 on one branch the DUT did not cancel the other, pending one")
    check_cancels_invite(b, cancel)
    end_branch(b, cancel)
