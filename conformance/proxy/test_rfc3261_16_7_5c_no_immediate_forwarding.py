"""RFC 3261 §16.7 step 5 (RFC3261-16.7-5c, MUST NOT): "A stateful proxy MUST NOT immediately forward any
other responses. In particular, a stateful proxy MUST NOT forward any 100 (Trying) response."
"""

import pytest

from sipconform.scenario.proxy import (answer_cancel, await_cancel, cancel_upstream, downstream, end_branch,
                                       expect_no_final, pause, provisional, quiet_window, relayed, responses_seen,
                                       ringing, upstream_final)

pytestmark = [pytest.mark.clause("RFC3261-16.7-5c"), pytest.mark.role("proxy")]


def test_downstream_100_is_not_forwarded(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE through the DUT; the branch answers 100 and then 180. Expectation: the UAC receives
    the 180 but no 100 relayed from the branch (the DUT may send its own)."""
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
    call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2))
    cancel_upstream(call)
    a, b = call.branches
    end_branch(a, await_cancel(a))
    cancel_b = await_cancel(b)
    answer_cancel(b, cancel_b)
    window = quiet_window(dut)
    expect_no_final(call, window)
    end_branch(b)
    upstream_final(call)
    pause(sip_peer, window)
    finals = {(r.status, r.to.tag) for r in responses_seen(sip_peer, call.invite) if r.status >= 200}
    assert len(finals) == 1, f"the UAC got {len(finals)} different final responses: {sorted(finals)}"
