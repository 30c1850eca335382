"""RFC 4320 §4.2 ¶2 (RFC4320-4.2-2, MUST NOT): "A transaction-stateful SIP proxy MUST NOT send any response to
a non-INVITE request unless it has a matching server transaction that is not in the Terminated state."

Here: responses to CANCELs reaching the proxy from downstream with no server transaction to answer: the late
200 to the proxy's own CANCEL, and a stray 200 to a CANCEL the proxy never forwarded.
"""

import pytest

from sipconform.scenario.proxy import (answer_cancel, await_cancel, cancel_answer, cancel_upstream, downstream,
                                       end_branch, pause, quiet_window, relayed, responses_seen, ringing, send_stray,
                                       upstream_final)

pytestmark = [pytest.mark.clause("RFC4320-4.2-2"), pytest.mark.role("proxy")]


def test_late_downstream_200_to_cancel_is_not_relayed(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE through the DUT; the branch rings; the UAC cancels and gets the DUT's 200; the branch
    answers 487, and only then (after 10*T1) 200 to the DUT's CANCEL. Expectation: the UAC gets no response to
    its CANCEL relayed from the branch."""
    call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel = cancel_upstream(call)
    cancel_answer(call, cancel)
    branch = call.branches[0]
    downstream_cancel = await_cancel(branch)
    end_branch(branch)
    upstream_final(call)
    pause(branch.peer, quiet_window(dut))
    answer_cancel(branch, downstream_cancel)
    pause(sip_peer, quiet_window(dut))
    leaked = [r.start_line for r in responses_seen(sip_peer, cancel) if relayed(r)]
    assert not leaked, f"the DUT relayed a downstream response to the UAC's CANCEL: {leaked}"


def test_stray_200_to_cancel_is_not_relayed(sip_peer, sip_peer_factory, dut):
    """Stimulus: during a ringing call through the DUT, the branch sends the DUT a 200 to a CANCEL the DUT never
    sent: the DUT's Via with an unknown branch on top of a Via of the UAC. Expectation: the UAC receives it
    not."""
    call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    ours = send_stray(call, call.branches[0], 200, "CANCEL")
    pause(sip_peer, quiet_window(dut))
    leaked = [r.start_line for r in responses_seen(sip_peer, ours)]
    assert not leaked, f"the DUT relayed a response it had no server transaction for: {leaked}"
