"""RFC 6026 §7.1 ¶5 (RFC6026-7.1-2, MUST): "A server transaction MUST NOT discard transaction state based only on
encountering a non-recoverable transport error when sending a response.  Instead, the associated INVITE server
transaction state machine MUST remain in its current state."  ("This allows retransmissions of the INVITE to be
absorbed instead of being processed as a new request.")

Over TCP only. The trigger and the control call are described in ``sipconform.scenario.transport_error``.

Stimulus: as RFC6026-6-2 (control call, then the branch's 180 the DUT cannot forward upstream); then the UAC's
INVITE once more on another connection, then the CANCEL.
Expectation: the transaction is still "Proceeding": the INVITE sent again is absorbed, not forwarded to the
branch as a new request, and the CANCEL still matches it (the DUT's own 200, the branch cancelled).
"""

import pytest

from sipconform.scenario.transport_error import after_failed_relay, cancel_through_proxy, invite_forwarded_again

pytestmark = [pytest.mark.clause("RFC6026-7.1-2"), pytest.mark.role("proxy"),
              pytest.mark.requires(transport="reliable")]


def test_transaction_stays_proceeding_after_a_response_could_not_go_upstream(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: no new INVITE at the branch; the CANCEL matched."""
    call = after_failed_relay(sip_peer, dut, sip_peer_factory)
    again = invite_forwarded_again(call)
    assert again is None, (
        f"after the DUT could not forward the branch's 180 upstream, the UAC's INVITE sent again was processed as "
        f"a new request: forwarded to the branch again with branch={again.top_via.branch}: the INVITE server "
        "transaction did not remain in its state")
    outcome = cancel_through_proxy(call)
    assert outcome.matched, (
        f"after the DUT could not forward the branch's 180 upstream, the CANCEL got {outcome.describe()}, where "
        "the control call's was matched: the INVITE server transaction did not remain in its state (\"Proceeding\")")
