"""RFC 3261 §17.2.2 ¶2 (RFC3261-17.2.2-1): "Once in the "Trying" state, any further request
retransmissions are discarded."

Here: the CANCEL's non-INVITE server transaction. A copy that arrives while the TU is still deciding is
discarded; one that arrives after the 200 gets the 200 again (§17.2.2 "Completed"). Either way the copy
is never taken for a new CANCEL: no other response than the first one, one final response on the INVITE.
"""

import pytest

from sipconform.flows.uas import answers_to, await_final, cancel, is_final_to, ring
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-17.2.2-1"), pytest.mark.role("uas"), pytest.mark.transport("udp")]


def test_cancel_sent_twice_at_once_is_one_cancel(sip_peer, dut, sip_timers):
    """Stimulus: INVITE; the DUT rings; the CANCEL, and at once (before any answer) an identical copy.
    Expectation: every response to the CANCEL is the first one's status and To tag; the INVITE gets a
    final response, and no second one with another status."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    request = cancel(call)
    sip_peer.send(bytes(request))
    first = sip_peer.expect_response(request, final=True)
    with precondition("the cancelled INVITE ends at once (RFC3261-9.2-8)"):
        final = await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
    sip_peer.reactor.run_for(sip_timers.immediately)
    answers = [r.message for r in sip_peer.arrivals(answers_to(request)) if r.message.is_final]
    odd = [a for a in answers if (a.status, a.to.tag) != (first.status, first.to.tag)]
    assert not odd, (f"the copy of the CANCEL was taken for a new request: it got {odd[0].start_line!r} "
                     f"(To {odd[0].to.text!r}) after {first.start_line!r} (To {first.to.text!r})")
    finals = {r.message.status for r in sip_peer.arrivals(is_final_to(call.invite))}
    assert finals == {final.status}, f"the INVITE got more than one final response: {sorted(finals)}"
