"""RFC 6026 §6 ¶2 (RFC6026-6-2, MUST NOT): "An element encountering an unrecoverable transport error when trying
to send a response to an INVITE request MUST NOT immediately destroy the associated INVITE server transaction
state."

Over TCP only; applies to devices that declare ``rfc6026 = true`` (RFC 3261's Figure 7 ends the transaction on a
transport error). How a send is made to fail is told in ``sipconform.flows.transport_error``.

Stimulus: control call: INVITE (Via sent-by port where nothing listens), 18x, the peer closes the connection,
CANCEL on a new connection (must get 200). Then the same call, but before the CANCEL the INVITE is sent again on
a new connection: the DUT's retransmitted 18x can go nowhere (its connection is gone, the sent-by refuses).
Expectation: the CANCEL on the new connection still matches the INVITE: 200, not 481 (nor silence).
"""

import pytest

from sipconform.flows.transport_error import cancel_on_new_connection, invite_sent_again, stranded
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC6026-6-2"), pytest.mark.role("uas"), pytest.mark.requires(transport="reliable"),
              pytest.mark.requires("rfc6026")]


def test_cancel_matches_after_a_response_could_not_be_sent(sip_peer, dut, sip_timers):
    """Stimulus: as above. Expectation: the CANCEL is answered 200, as in the control call."""
    with precondition("control call: once the INVITE's TCP connection closed (no response failing), its CANCEL on "
                      "a new connection gets 200 (see RFC3261-28.1-1), so a failed send can be told apart"):
        control = stranded(sip_peer, dut, settle=sip_timers.settle)
        answer = cancel_on_new_connection(control, within=sip_timers.f)
        assert answer is not None and answer.status == 200, f"it got {answer.start_line if answer else 'nothing'!r}"
    with precondition("the DUT rings on an INVITE"):
        call = stranded(sip_peer, dut, settle=sip_timers.settle)
    answered = invite_sent_again(call, window=sip_timers.immediately)
    if answered:
        inconclusive(f"the DUT answered the INVITE sent again on another connection with {answered[0].start_line!r} "
                     "on that connection: it met no transport error sending its 18x (or took the INVITE for a new "
                     "request, see RFC3261-17.2.3-1)")
    response = cancel_on_new_connection(call, within=sip_timers.f)
    got = "no response" if response is None else repr(response.start_line)
    assert response is not None and response.status == 200, (
        f"after the DUT could not send its 18x again (the INVITE's connection closed, its sent-by refusing "
        f"connections), the CANCEL got {got}, where the control call's got 200: it destroyed the INVITE server "
        "transaction on that transport error")
