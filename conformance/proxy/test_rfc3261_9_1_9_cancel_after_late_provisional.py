"""RFC 3261 §9.1 ¶8 (RFC3261-9.1-9, MUST): "rather, the client MUST wait for the arrival of a provisional
response before sending the request."

Here: the UAC cancelled while the proxy's branch was silent; once that branch sends a provisional, the
proxy's CANCEL (held back so far) must go out. If the branch answers with a final response instead,
there is nothing left to cancel.
"""

import pytest

from sipconform.flows.proxy import (await_ack, cancel_received, cancel_upstream, cancels_after, downstream, end_branch,
                                    provisional, ringing)
from sipconform.verdict import precondition, warn
from sipconform.verify.silence import no_cancel

pytestmark = [pytest.mark.clause("RFC3261-9.1-9"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("late", [180, 100], ids=["late-180", "late-100"])
def test_cancel_follows_the_late_provisional(sip_peer, sip_peer_factory, dut, late):
    """Stimulus: INVITE through the DUT to a silent branch; the UAC cancels; after 10*T1 (at least 1 s) the
    branch sends a provisional. Expectation: the DUT then sends the branch its CANCEL (warn if it takes
    longer than 10*T1)."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory), ring=[None])
    cancel_upstream(call)
    branch = call.branches[0]
    window = dut.timers.quiet
    branch.peer.reactor.run_for(window)
    provisional(branch, late)
    started = branch.peer.reactor.now()
    cancel = cancel_received(branch)
    delay = branch.peer.reactor.now() - started
    with precondition(f"{branch.name} can answer the DUT's CANCEL (RFC3261-9.1-4)"):
        end_branch(branch, cancel)
    if delay > window:
        warn(f"the CANCEL came {delay:.2f} s after the branch's first provisional response")


def test_final_instead_of_provisional_needs_no_cancel(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above, but the silent branch answers 486 instead of a provisional. Expectation: the DUT
    ACKs the 486 and sends no CANCEL (the transaction is over)."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory), ring=[None])
    cancel_upstream(call)
    branch = call.branches[0]
    branch.peer.reactor.run_for(dut.timers.quiet)
    end_branch(branch, status=486)
    with precondition(f"the DUT ACKs {branch.name}'s final response (RFC3261-17.1.1.2-1)"):
        await_ack(call, branch)
    problems = no_cancel(branch.name, cancels_after(branch.peer, call.invite.call_id, dut.timers.quiet))
    assert not problems, problems[0]
