"""RFC 4320 §4.2 ¶2 (RFC4320-4.2-2, MUST NOT): "A transaction-stateful SIP proxy MUST NOT send any response to
a non-INVITE request unless it has a matching server transaction that is not in the Terminated state."

Here: responses to CANCELs reaching the proxy from downstream with no server transaction to answer: the late
200 to the proxy's own CANCEL, and a stray 200 to a CANCEL the proxy never forwarded.
"""

import pytest

from sipconform.flows.proxy import (answer_cancel, await_cancel, await_cancel_response, await_final, cancel_upstream,
                                    downstream, end_branch, relayed, responses_seen, ringing, send_stray)
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC4320-4.2-2"), pytest.mark.role("proxy")]


def test_late_downstream_200_to_cancel_is_not_relayed(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE through the DUT; the branch rings; the UAC cancels and gets the DUT's 200; the branch
    answers 487, and only then (after 10*T1) 200 to the DUT's CANCEL. Expectation: the UAC gets no response to
    its CANCEL relayed from the branch."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel = cancel_upstream(call)
    with precondition("the DUT answers the UAC's CANCEL (RFC3261-16.10-4)"):
        await_cancel_response(call, cancel)
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        downstream_cancel = await_cancel(branch)
    end_branch(branch)
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        await_final(call)
    branch.peer.reactor.run_for(dut.timers.quiet)
    answer_cancel(branch, downstream_cancel)
    sip_peer.reactor.run_for(dut.timers.quiet)
    leaked = [r.start_line for r in responses_seen(sip_peer, cancel) if relayed(r)]
    assert not leaked, f"the DUT relayed a downstream response to the UAC's CANCEL: {leaked}"


def test_stray_200_to_cancel_is_not_relayed(sip_peer, sip_peer_factory, dut):
    """Stimulus: during a ringing call through the DUT, the branch sends the DUT a 200 to a CANCEL the DUT never
    sent: the DUT's Via with an unknown branch on top of a Via of the UAC. Expectation: the UAC receives it
    not."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    ours = send_stray(call, call.branches[0], 200, "CANCEL")
    sip_peer.reactor.run_for(dut.timers.quiet)
    leaked = [r.start_line for r in responses_seen(sip_peer, ours)]
    assert not leaked, f"the DUT relayed a response it had no server transaction for: {leaked}"
