"""RFC 6026 §7.1 ¶5 (RFC6026-7.1-2, MUST): "A server transaction MUST NOT discard transaction state based only on
encountering a non-recoverable transport error when sending a response.  Instead, the associated INVITE server
transaction state machine MUST remain in its current state."  ("This allows retransmissions of the INVITE to be
absorbed instead of being processed as a new request.")

Over TCP only; applies to devices that declare ``rfc6026 = true``. The trigger and the control call are
described in ``sipconform.scenario.transport_error``.

Stimulus: as RFC6026-6-2 (control call, then a ringing call whose 18x retransmission cannot be delivered); then
the INVITE once more on another connection, then the CANCEL.
Expectation: the transaction is still "Proceeding": the INVITE sent again is absorbed (no final response, no
response with another To tag: not a new request) and the CANCEL still matches it (200).
"""

import pytest

from sipconform.scenario.transport_error import (INVITE_SENT_AGAIN, after_failed_retransmission, cancel_to_uas,
                                                 invite_sent_again, new_request_evidence)

pytestmark = [pytest.mark.clause("RFC6026-7.1-2"), pytest.mark.role("uas"), pytest.mark.requires(transport="reliable"),
              pytest.mark.requires("rfc6026")]


def test_transaction_stays_proceeding_after_a_response_could_not_be_sent(sip_peer, dut):
    """Stimulus: as above. Expectation: the INVITE sent again is not a new request; the CANCEL gets 200."""
    call = after_failed_retransmission(sip_peer, dut)
    evidence = new_request_evidence(call, invite_sent_again(call, dut))
    assert evidence is None, (
        f"after the DUT could not send its 18x again, {INVITE_SENT_AGAIN} was processed as a new request "
        f"({evidence}): the INVITE server transaction did not remain in its state")
    response = cancel_to_uas(call)
    got = "no response" if response is None else repr(response.start_line)
    assert response is not None and response.status == 200, (
        f"after the DUT could not send its 18x again, the CANCEL got {got}, where the control call's got 200: the "
        "INVITE server transaction did not remain in its state (\"Proceeding\")")
