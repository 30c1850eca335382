"""RFC 6026 §6 ¶2 (RFC6026-6-2, MUST NOT): "An element encountering an unrecoverable transport error when trying
to send a response to an INVITE request MUST NOT immediately destroy the associated INVITE server transaction
state."

Over TCP only. The trigger and the control call are described in ``sipconform.flows.relay_failure``.

Stimulus: control call: the UAC's INVITE (Via sent-by port where nothing listens) reaches the branch, which
answers 100; the UAC closes its connection and sends the CANCEL on a new one (it must be matched). Then the same
call, but the branch sends 180 after the UAC closed its connection: the DUT cannot forward it upstream.
Expectation: the CANCEL on a new connection still matches the INVITE: the DUT answers 200 itself and cancels the
branch (the branch's INVITE's branch parameter), not 481, not a relayed response, not silence.
"""

import pytest

from sipconform.flows.proxy import relayed
from sipconform.flows.relay_failure import cancel_through_proxy, failed_relay
from sipconform.verdict import inconclusive, precondition
from sipconform.verify.transaction import cancel_not_matched

pytestmark = [pytest.mark.clause("RFC6026-6-2"), pytest.mark.role("proxy"), pytest.mark.transport("tcp")]


def test_cancel_matches_after_a_response_could_not_go_upstream(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: the DUT's own 200 to the CANCEL and a CANCEL of the branch."""
    with precondition("the calls reach the branch through the DUT (RFC 3261 §16.6)"):
        tried = failed_relay(sip_peer, dut, sip_peer_factory)
    with precondition("control call: once the UAC's TCP connection closed (no response failing), its CANCEL on "
                      "a new connection is matched (RFC3261-16.10-4; see RFC3261-28.1-1)"):
        problems = cancel_not_matched(**vars(tried.control), relayed=relayed)
        assert not problems, problems[0]
    if tried.relayed_180s:
        inconclusive("the branch's 180 reached the UAC: the DUT met no transport error upstream")
    call = tried.call
    outcome = cancel_through_proxy(call)
    problems = cancel_not_matched(**vars(outcome), relayed=relayed)
    assert not problems, (
        f"after the DUT could not forward the branch's 180 upstream (the UAC's connection closed, its sent-by "
        f"refusing connections), {problems[0]}, where the control call's was matched: it destroyed the INVITE "
        "server transaction on that transport error")
