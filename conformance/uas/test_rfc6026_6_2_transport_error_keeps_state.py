"""RFC 6026 §6 ¶2 (RFC6026-6-2, MUST NOT): "An element encountering an unrecoverable transport error when trying
to send a response to an INVITE request MUST NOT immediately destroy the associated INVITE server transaction
state."

Over TCP only; applies to devices that declare ``rfc6026 = true`` (RFC 3261's Figure 7 ends the transaction on a
transport error). The trigger and the control call are described in ``sipconform.scenario.transport_error``.

Stimulus: control call: INVITE (Via sent-by port where nothing listens), 18x, the peer closes the connection,
CANCEL on a new connection (must get 200). Then the same call, but before the CANCEL the INVITE is sent again on
a new connection: the DUT's retransmitted 18x can go nowhere (its connection is gone, the sent-by refuses).
Expectation: the CANCEL on the new connection still matches the INVITE: 200, not 481 (nor silence).
"""

import pytest

from sipconform.scenario.transport_error import after_failed_retransmission, cancel_to_uas

pytestmark = [pytest.mark.clause("RFC6026-6-2"), pytest.mark.role("uas"), pytest.mark.requires(transport="reliable"),
              pytest.mark.requires("rfc6026")]


def test_cancel_matches_after_a_response_could_not_be_sent(sip_peer, dut):
    """Stimulus: as above. Expectation: the CANCEL is answered 200, as in the control call."""
    call = after_failed_retransmission(sip_peer, dut)
    response = cancel_to_uas(call)
    got = "no response" if response is None else repr(response.start_line)
    assert response is not None and response.status == 200, (
        f"after the DUT could not send its 18x again (the INVITE's connection closed, its sent-by refusing "
        f"connections), the CANCEL got {got}, where the control call's got 200: it destroyed the INVITE server "
        "transaction on that transport error")
