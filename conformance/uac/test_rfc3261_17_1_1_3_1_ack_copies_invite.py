"""RFC 3261 §17.1.1.3 ¶2 (RFC3261-17.1.1.3-1, MUST): "The ACK request constructed by the client
transaction MUST contain values for the Call-ID, From, and Request-URI that are equal to the values of
those header fields in the request passed to the transport by the client transaction (call this the
"original request")."

Here: the ACK for the 487 to a cancelled INVITE.
"""

import pytest

from sipconform.flows.uac import await_ack, ring_and_cancel, terminate
from sipconform.verdict import precondition
from sipconform.verify.ack import copies_the_invite

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.3-1"), pytest.mark.role("uac")]


def test_ack_for_487_has_the_invites_call_id_from_and_request_uri(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; CANCEL answered 200, INVITE answered 487.
    Expectation: the ACK's Call-ID, From (with its tag) and Request-URI equal the INVITE's."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    terminate(call, cancel)
    with precondition("the DUT ACKs the 487 to its cancelled INVITE (RFC3261-17.1.1.2-1)"):
        ack = await_ack(call)
    found = copies_the_invite(call.invite, ack)
    assert not found, found.text()
