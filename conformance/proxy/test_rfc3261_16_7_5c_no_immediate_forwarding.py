"""RFC 3261 §16.7 step 5 (RFC3261-16.7-5c, MUST NOT): "A stateful proxy MUST NOT immediately forward any
other responses. In particular, a stateful proxy MUST NOT forward any 100 (Trying) response."
"""

import pytest

from sipconform.flows.proxy import (MARK, answer_cancel, await_cancel, await_final, cancel_upstream, downstream,
                                    end_branch, finals_after, provisional, relayed, responses_seen, ringing)
from sipconform.verdict import inconclusive, precondition
from sipconform.verify.silence import no_final

pytestmark = [pytest.mark.clause("RFC3261-16.7-5c"), pytest.mark.role("proxy")]


def test_downstream_100_is_not_forwarded(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE through the DUT; the branch answers 100 and then 180. Expectation: the UAC receives
    the 180 but no 100 relayed from the branch (the DUT may send its own)."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory), ring=[100])
    branch = call.branches[0]
    provisional(branch, 180)
    sip_peer.expect_response(call.invite, status=180)
    leaked = [r.start_line for r in responses_seen(sip_peer, call.invite) if r.status == 100 and relayed(r)]
    assert not leaked, f"the DUT forwarded the branch's 100 (Trying): {leaked}"


def test_487_waits_for_the_other_branch(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE forked to A and B, both ring; the UAC cancels; A answers 200 and 487 at once, B answers
    200 to its CANCEL but holds its 487 for 10*T1 (at least 1 s). Expectation: no final response reaches the
    UAC while B is pending; then exactly one."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2))
    cancel_upstream(call)
    a, b = call.branches
    with precondition(f"the DUT sends {a.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        end_branch(a, await_cancel(a))
    with precondition(f"the DUT sends {b.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        answer_cancel(b, await_cancel(b))
    window = dut.timers.quiet
    problems = no_final(finals_after(call, window))
    assert not problems, problems[0]
    end_branch(b)
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        await_final(call)
    sip_peer.reactor.run_for(window)
    finals = {(r.status, r.to.tag) for r in responses_seen(sip_peer, call.invite) if r.status >= 200}
    assert len(finals) == 1, f"the UAC got {len(finals)} different final responses: {sorted(finals)}"


def test_487_after_a_forwarded_2xx_is_not_forwarded(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE forked to A and B, both ring; A answers 200 (the UAC gets it and ACKs it); B answers the
    DUT's CANCEL 200 and its INVITE 487. Expectation: the 487 never reaches the UAC (after a final response only
    1xx and 2xx are forwarded)."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2))
    a, b = call.branches
    a.peer.respond(a.invite, 200, headers=[(MARK, a.name)])
    with precondition("the UAC gets A's 200 (RFC3261-16.7-5b)"):
        answer = await_final(call)
    if answer.status != 200:
        inconclusive(f"precondition not reached: the UAC gets A's 200 (RFC3261-16.7-5b); it got {answer.start_line!r}")
    sip_peer.ack(answer)
    with precondition(f"the DUT sends {b.name} a CANCEL it can answer (RFC3261-16.7-10)"):
        end_branch(b, await_cancel(b, within=dut.timers.quiet))
    problems = no_final(finals_after(call, dut.timers.quiet, least=300))
    assert not problems, problems[0]
