"""RFC 3261 §9.2 ¶5 (RFC3261-9.2-13, IMPL): "The response to CANCEL is passed to the server transaction for
transmission."

Here: the proxy's 200 to CANCEL lives in a non-INVITE server transaction (§17.2.2): a retransmitted CANCEL
gets the same 200 again and causes no new processing (no further CANCEL downstream).
"""

import pytest

from sipconform.flows.proxy import (answer_cancel, await_cancel, await_cancel_response, cancel_upstream, downstream,
                                    end_branch, requests_seen, responses_seen, ringing)
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-9.2-13"), pytest.mark.role("proxy")]


def test_retransmitted_cancel_gets_the_same_200(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE through the DUT; the branch rings; the UAC sends CANCEL (no retransmission of its own),
    gets 200; the branch answers the DUT's CANCEL 200 but not yet the INVITE; the UAC sends the identical
    CANCEL twice more, T1 and 4*T1 apart. Expectation: each copy is answered 200 with the same To tag; the
    branch receives no further CANCEL."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel = cancel_upstream(call, retransmit=False)
    with precondition("the DUT answers the UAC's CANCEL (RFC3261-16.10-4)"):
        first = await_cancel_response(call, cancel)
    assert first.status == 200, f"the CANCEL got {first.start_line!r}"
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        downstream_cancel = await_cancel(branch)
    answer_cancel(branch, downstream_cancel)
    window = dut.timers.quiet
    branch.peer.reactor.run_for(dut.timers.settle)  # retransmissions of the DUT's CANCEL already in flight
    copies = len(requests_seen(branch.peer, "CANCEL", call.invite.call_id))
    for gap in (dut.timers.t1, dut.timers.immediately):
        branch.peer.reactor.run_for(gap)
        before = len(responses_seen(sip_peer, cancel))
        sip_peer.send(cancel, (dut.host, dut.port))
        sip_peer.wait_until(lambda: len(responses_seen(sip_peer, cancel)) > before, window)
        again = responses_seen(sip_peer, cancel)[before:]
        assert again, f"the retransmitted CANCEL got no response within {window:.2f} s"
        assert (again[0].status, again[0].to.tag) == (200, first.to.tag), (
            f"the retransmitted CANCEL got {again[0].start_line!r} with To tag {again[0].to.tag!r}; the first "
            f"answer was 200 with tag {first.to.tag!r}")
    branch.peer.reactor.run_for(window)
    more = requests_seen(branch.peer, "CANCEL", call.invite.call_id)[copies:]
    assert not more, f"the retransmitted CANCEL was processed again: the branch got {len(more)} more CANCEL(s)"
    end_branch(branch)
