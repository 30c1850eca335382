"""RFC 3261 §9.1 ¶8 (RFC3261-9.1-9, MUST): "rather, the client MUST wait for the arrival of a provisional
response before sending the request."

Here: the UAC cancelled while the proxy's branch was silent; once that branch sends a provisional, the
proxy's CANCEL (held back so far) must go out. If the branch answers with a final response instead,
there is nothing left to cancel.
"""

import pytest

from sipconform.scenario.proxy import (await_ack, await_cancel, cancel_upstream, downstream, end_branch,
                                       expect_no_cancel, pause, provisional, quiet_window, ringing)
from sipconform.verdict import warn

pytestmark = [pytest.mark.clause("RFC3261-9.1-9"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("late", [180, 100], ids=["late-180", "late-100"])
def test_cancel_follows_the_late_provisional(sip_peer, sip_peer_factory, dut, late):
    """Stimulus: INVITE through the DUT to a silent branch; the UAC cancels; after 10*T1 (at least 1 s) the
    branch sends a provisional. Expectation: the DUT then sends the branch its CANCEL (warn if it takes
    longer than 10*T1)."""
    call = ringing(sip_peer, dut, downstream(sip_peer_factory), ring=[None])
    cancel_upstream(call)
    branch = call.branches[0]
    window = quiet_window(dut)
    pause(branch.peer, window)
    provisional(branch, late)
    started = branch.peer.reactor.now()
    cancel = await_cancel(branch, judged=True)
    delay = branch.peer.reactor.now() - started
    end_branch(branch, cancel)
    if delay > window:
        warn(f"the CANCEL came {delay:.2f} s after the branch's first provisional response")


def test_final_instead_of_provisional_needs_no_cancel(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above, but the silent branch answers 486 instead of a provisional. Expectation: the DUT
    ACKs the 486 and sends no CANCEL (the transaction is over)."""
    call = ringing(sip_peer, dut, downstream(sip_peer_factory), ring=[None])
    cancel_upstream(call)
    branch = call.branches[0]
    pause(branch.peer, quiet_window(dut))
    end_branch(branch, status=486)
    await_ack(call, branch)
    expect_no_cancel(branch.peer, call.invite.call_id, quiet_window(dut))
