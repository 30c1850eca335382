"""RFC 6026 §7.1 ¶5 (RFC6026-7.1-2, MUST): "A server transaction MUST NOT discard transaction state based only on
encountering a non-recoverable transport error when sending a response.  Instead, the associated INVITE server
transaction state machine MUST remain in its current state."  ("This allows retransmissions of the INVITE to be
absorbed instead of being processed as a new request.")

Over TCP only. The trigger and the control call are described in ``sipconform.flows.relay_failure``.

Stimulus: as RFC6026-6-2 (control call, then the branch's 180 the DUT cannot forward upstream); then the UAC's
INVITE once more on another connection, then the CANCEL.
Expectation: the transaction is still "Proceeding": the INVITE sent again is absorbed, not forwarded to the
branch as a new request, and the CANCEL still matches it (the DUT's own 200, the branch cancelled).
"""

import pytest

from sipconform.flows.proxy import relayed
from sipconform.flows.relay_failure import cancel_through_proxy, failed_relay, invite_forwarded_again
from sipconform.verdict import inconclusive, precondition
from sipconform.verify.transaction import cancel_not_matched

pytestmark = [pytest.mark.clause("RFC6026-7.1-2"), pytest.mark.role("proxy"),
              pytest.mark.requires(transport="reliable")]


def test_transaction_stays_proceeding_after_a_response_could_not_go_upstream(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: no new INVITE at the branch; the CANCEL matched."""
    with precondition("the calls reach the branch through the DUT (RFC 3261 §16.6)"):
        tried = failed_relay(sip_peer, dut, sip_peer_factory)
    with precondition("control call: once the UAC's TCP connection closed (no response failing), its CANCEL on "
                      "a new connection is matched (RFC3261-16.10-4; see RFC3261-28.1-1)"):
        problems = cancel_not_matched(**vars(tried.control), relayed=relayed)
        assert not problems, problems[0]
    if tried.relayed_180s:
        inconclusive("the branch's 180 reached the UAC: the DUT met no transport error upstream")
    call = tried.call
    again = invite_forwarded_again(call)
    assert again is None, (
        f"after the DUT could not forward the branch's 180 upstream, the UAC's INVITE sent again was processed as "
        f"a new request: forwarded to the branch again with branch={again.top_via.branch}: the INVITE server "
        "transaction did not remain in its state")
    outcome = cancel_through_proxy(call)
    problems = cancel_not_matched(**vars(outcome), relayed=relayed)
    assert not problems, (
        f"after the DUT could not forward the branch's 180 upstream, {problems[0]}, where the control call's was "
        "matched: the INVITE server transaction did not remain in its state (\"Proceeding\")")
