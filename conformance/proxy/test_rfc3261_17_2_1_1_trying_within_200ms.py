"""RFC 3261 §17.2.1 ¶2 (RFC3261-17.2.1-1, MUST): "The server transaction MUST generate a 100 (Trying)
response unless it knows that the TU will generate a provisional or final response within 200 ms, in
which case it MAY generate a 100 (Trying) response."

Here: the proxy's INVITE server transaction while its branch stays silent: the proxy cannot know a response
will come within 200 ms, so its 100 is due; it is what lets the UAC CANCEL (§9.1).
"""

import pytest

from sipconform.flows.proxy import await_final, downstream, end_branch, place_call, reach_branches, responses_seen
from sipconform.flows.uas import response_delay
from sipconform.sip.timers import TU_RESPONSE_WINDOW
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-17.2.1-1"), pytest.mark.role("proxy")]


def test_invite_gets_a_100_within_200_ms(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE through the DUT; the branch receives it and stays silent.
    Expectation: a response to the INVITE reaches the UAC within 200 ms of it (the branch ends with 486)."""
    call = place_call(sip_peer, dut, downstream(sip_peer_factory))
    with precondition("the DUT forwards the INVITE (RFC 3261 §16.6)"):
        reach_branches(call)
    window = dut.timers.quiet
    sip_peer.wait_until(lambda: bool(responses_seen(sip_peer, call.invite)), window)
    answered = bool(responses_seen(sip_peer, call.invite))
    end_branch(call.branches[0], status=486)
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        await_final(call)
    assert answered, (f"the DUT sent no 100 (Trying) to the INVITE within {window:.2f} s while its branch stayed "
                      f"silent")
    delay = response_delay(sip_peer, call.invite)
    assert delay <= TU_RESPONSE_WINDOW, (
        f"the DUT's first response to the INVITE came {delay * 1000:.0f} ms after it; a 100 (Trying) is due "
        f"within {TU_RESPONSE_WINDOW * 1000:.0f} ms")
