"""RFC 3261 §16.7 step 10 (RFC3261-16.7-10, MUST / SHOULD): "If the forwarded response was a final response,
the proxy MUST generate a CANCEL request for all pending client transactions associated with this response
context. A proxy SHOULD also generate a CANCEL request for all pending client transactions associated with
this response context when it receives a 6xx response."
"""

import pytest

from sipconform.flows.proxy import MARK, await_final, cancel_received, downstream, end_branch, relayed, ringing
from sipconform.peer import NoMessage
from sipconform.verdict import precondition, warn
from sipconform.verify.via_branch import cancels_invite

pytestmark = [pytest.mark.clause("RFC3261-16.7-10"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("branches", [2, 3], ids=["two-branches", "three-branches"])
def test_200_on_one_branch_cancels_the_others(sip_peer, sip_peer_factory, dut, branches):
    """Stimulus: INVITE forked by the DUT to 2 or 3 branches, all ring; the first answers 200. Expectation: the
    UAC gets that 200; every other branch gets a CANCEL of its own INVITE (its top Via branch; the §9.1 clauses
    judge how it is built; RFC3261-16.7-5c that their 487s are not forwarded)."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, branches))
    winner, *others = call.branches
    winner.peer.respond(winner.invite, 200, headers=[(MARK, winner.name)])
    with precondition(f"the UAC gets {winner.name}'s 200 (RFC3261-16.7-5b)"):
        answer = await_final(call)
        assert answer.status == 200 and relayed(answer) == winner.name, f"the UAC got {answer.start_line!r}"
    sip_peer.ack(answer)
    problems = []
    for branch in others:
        cancel = cancel_received(branch, within=dut.timers.quiet)
        problems += cancels_invite(branch.invite, cancel, at=branch.name)
        with precondition(f"{branch.name} can answer the DUT's CANCEL (RFC3261-9.1-4)"):
            end_branch(branch, cancel)
    assert not problems, "; ".join(problems)


def test_603_on_one_branch_cancels_the_other(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE forked to A and B, both ring; A answers 603. Expectation (SHOULD): B gets a CANCEL
    of its INVITE."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2))
    a, b = call.branches
    end_branch(a, status=603)
    try:
        cancel = cancel_received(b, within=dut.timers.quiet)
    except NoMessage:
        end_branch(b, status=486)
        warn("after a 603 on one branch the DUT did not cancel the other, pending one")
    problems = cancels_invite(b.invite, cancel, at=b.name)
    with precondition(f"{b.name} can answer the DUT's CANCEL (RFC3261-9.1-4)"):
        end_branch(b, cancel)
    assert not problems, problems[0]
