"""RFC 3261 §9.2 ¶5 (RFC3261-9.2-13, IMPL): "The response to CANCEL is passed to the server transaction for
transmission."

Here: the proxy's 200 to CANCEL lives in a non-INVITE server transaction (§17.2.2): a retransmitted CANCEL
gets the same 200 again and causes no new processing (no further CANCEL downstream).
"""

import pytest

from sipconform.scenario.proxy import (answer_cancel, await_cancel, cancel_answer, cancel_upstream, downstream,
                                       end_branch, pause, quiet_window, requests_seen, responses_seen, ringing,
                                       wait_until)

pytestmark = [pytest.mark.clause("RFC3261-9.2-13"), pytest.mark.role("proxy")]


def test_retransmitted_cancel_gets_the_same_200(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE through the DUT; the branch rings; the UAC sends CANCEL (no retransmission of its own),
    gets 200; the branch answers the DUT's CANCEL 200 but not yet the INVITE; the UAC sends the identical
    CANCEL twice more, T1 and 4*T1 apart. Expectation: each copy is answered 200 with the same To tag; the
    branch receives no further CANCEL."""
    call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel = cancel_upstream(call, retransmit=False)
    first = cancel_answer(call, cancel)
    assert first.status == 200, f"the CANCEL got {first.start_line!r}"
    branch = call.branches[0]
    downstream_cancel = await_cancel(branch)
    answer_cancel(branch, downstream_cancel)
    window = quiet_window(dut)
    pause(branch.peer, 2 * dut.timers.t1)  # retransmissions of the DUT's CANCEL already in flight
    copies = len(requests_seen(branch.peer, "CANCEL", call.invite.call_id))
    for gap in (dut.timers.t1, 4 * dut.timers.t1):
        pause(branch.peer, gap)
        before = len(responses_seen(sip_peer, cancel))
        sip_peer.send(cancel, (dut.host, dut.port))
        wait_until(sip_peer, lambda: len(responses_seen(sip_peer, cancel)) > before, window)
        again = responses_seen(sip_peer, cancel)[before:]
        assert again, f"the retransmitted CANCEL got no response within {window:.2f} s"
        assert (again[0].status, again[0].to.tag) == (200, first.to.tag), (
            f"the retransmitted CANCEL got {again[0].start_line!r} with To tag {again[0].to.tag!r}; the first "
            f"answer was 200 with tag {first.to.tag!r}")
    pause(branch.peer, window)
    more = requests_seen(branch.peer, "CANCEL", call.invite.call_id)[copies:]
    assert not more, f"the retransmitted CANCEL was processed again: the branch got {len(more)} more CANCEL(s)"
    end_branch(branch)
