"""RFC 6026 §7.1 ¶5 (RFC6026-7.1-2, MUST): "A server transaction MUST NOT discard transaction state based only on
encountering a non-recoverable transport error when sending a response.  Instead, the associated INVITE server
transaction state machine MUST remain in its current state."  ("This allows retransmissions of the INVITE to be
absorbed instead of being processed as a new request.")

Over TCP only; applies to devices that declare ``rfc6026 = true``. How a send is made to fail is told in
``sipconform.flows.transport_error``.

Stimulus: as RFC6026-6-2 (control call, then a ringing call whose 18x retransmission cannot be delivered); then
the INVITE once more on another connection, then the CANCEL.
Expectation: the transaction is still "Proceeding": the INVITE sent again is absorbed (no final response, no
response with another To tag: not a new request) and the CANCEL still matches it (200).
"""

import pytest

from sipconform.flows.transport_error import cancel_on_new_connection, invite_sent_again, stranded
from sipconform.verdict import inconclusive, precondition
from sipconform.verify.transaction import taken_for_new_request

pytestmark = [pytest.mark.clause("RFC6026-7.1-2"), pytest.mark.role("uas"), pytest.mark.requires(transport="reliable"),
              pytest.mark.requires("rfc6026")]


def test_transaction_stays_proceeding_after_a_response_could_not_be_sent(sip_peer, dut, sip_timers):
    """Stimulus: as above. Expectation: the INVITE sent again is not a new request; the CANCEL gets 200."""
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
    again = invite_sent_again(call, window=sip_timers.immediately)
    evidence = taken_for_new_request(call.to_tag, again)
    assert not evidence, (
        f"after the DUT could not send its 18x again, the INVITE sent again on another connection was processed "
        f"as a new request ({evidence[0]}): the INVITE server transaction did not remain in its state")
    response = cancel_on_new_connection(call, within=sip_timers.f)
    got = "no response" if response is None else repr(response.start_line)
    assert response is not None and response.status == 200, (
        f"after the DUT could not send its 18x again, the CANCEL got {got}, where the control call's got 200: the "
        "INVITE server transaction did not remain in its state (\"Proceeding\")")
