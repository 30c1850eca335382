"""RFC 6026 §8.3 (RFC6026-8.3-1; replaces RFC 3261 §16.7 step 9): "If the server transaction is no longer
available to handle the transmission, the response is simply discarded."

Stimulus: INVITE through the DUT to a branch over TCP (the DUT's client transactions there end at once: Timer
D and K are zero on a reliable transport); the branch rings; the UAC cancels; the branch answers 200 and 487,
the UAC gets the 487 and ACKs it; after Timer I of the UAC's leg (T4 over UDP) the branch sends its 487 and
its 200 to the CANCEL again.
Expectation: the UAC receives neither copy: no second final to its INVITE, no response to its CANCEL from the
branch.
"""

import pytest

from sipconform.flows.proxy import (answer_cancel, await_ack, await_cancel, await_final, cancel_upstream, downstream,
                                    end_branch, relayed, resend, responses_seen, ringing)
from sipconform.verdict import NotApplicable, precondition

pytestmark = [pytest.mark.clause("RFC6026-8.3-1"), pytest.mark.role("proxy")]


def test_late_487_and_200_after_the_call_ended_are_discarded(sip_peer, sip_peer_factory, dut, sip_transport):
    """Stimulus: as above. Expectation: for 10*T1 after the copies, no further response to the UAC's INVITE and
    no relayed response to its CANCEL."""
    if "tcp" not in dut.transports:
        raise NotApplicable("the clause is exercised on a TCP branch and the DUT does not run TCP")
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, 1, "tcp"))
    cancel = cancel_upstream(call)
    (branch,) = call.branches
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        downstream_cancel = await_cancel(branch)
    ok = answer_cancel(branch, downstream_cancel)
    final = end_branch(branch)
    with precondition(f"the DUT ACKs {branch.name}'s final response (RFC3261-17.1.1.2-1)"):
        await_ack(call, branch)
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        await_final(call)
    sip_peer.reactor.run_for(max(dut.timers.i if sip_transport == "udp" else 0.0, dut.timers.quiet))
    before = len(responses_seen(sip_peer, call.invite))
    resend(branch, final)
    resend(branch, ok)
    sip_peer.reactor.run_for(dut.timers.quiet)
    late = [r.start_line for r in responses_seen(sip_peer, call.invite)[before:]]
    assert not late, f"the DUT forwarded the branch's late 487 after its server transaction ended: {late}"
    leaked = [r.start_line for r in responses_seen(sip_peer, cancel) if relayed(r)]
    assert not leaked, f"the DUT forwarded the branch's late 200 to its CANCEL: {leaked}"
