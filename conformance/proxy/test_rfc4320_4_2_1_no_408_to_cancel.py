"""RFC 4320 §4.2 ¶1 (RFC4320-4.2-1, MUST NOT): "A transaction-stateful SIP element MUST NOT send a response
with Status-Code of 408 to a non-INVITE request."
"""

import pytest

from sipconform.flows.proxy import (await_cancel, cancel_upstream, downstream, end_branch, proxy_route, responses_seen,
                                    ringing)
from sipconform.flows.proxy_profile import routing
from sipconform.sip import cancel_for
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC4320-4.2-1"), pytest.mark.role("proxy"), pytest.mark.slow]


def test_no_408_to_a_cancel_whose_downstream_cancel_times_out(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE through the DUT; the branch rings; the UAC cancels; the branch never answers the DUT's
    CANCEL, for Timer F of the DUT (64*T1) and 10*T1 more; then it answers the INVITE 487. Expectation: no 408
    to the UAC's CANCEL."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel = cancel_upstream(call)
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        await_cancel(branch)
    sip_peer.reactor.run_for(dut.timers.f + dut.timers.quiet)
    end_branch(branch)
    bad = [r.start_line for r in responses_seen(sip_peer, cancel) if r.status == 408]
    assert not bad, f"the DUT answered the CANCEL {bad}"


def test_no_408_to_a_context_less_cancel(sip_peer, sip_peer_factory, dut):
    """Stimulus: the UAC sends a CANCEL the DUT has no context for, toward a downstream peer that never answers
    it; wait Timer F of the DUT (64*T1) and 10*T1 more. Expectation: no 408 to that CANCEL."""
    (uas,) = downstream(sip_peer_factory)
    route = [proxy_route(dut, sip_peer.transport)] if routing(dut) == "route" else []
    cancel = cancel_for(sip_peer.invite((dut.host, dut.port), uri=uas.uri("uas"), route=route))
    sip_peer.send(cancel, (dut.host, dut.port))
    sip_peer.reactor.run_for(dut.timers.f + dut.timers.quiet)
    bad = [r.start_line for r in responses_seen(sip_peer, cancel) if r.status == 408]
    assert not bad, f"the DUT answered the CANCEL {bad}"

