"""RFC 3261 §17.1.1.3 ¶2 (RFC3261-17.1.1.3-1, MUST): "The ACK request constructed by the client
transaction MUST contain values for the Call-ID, From, and Request-URI that are equal to the values of
those header fields in the request passed to the transport by the client transaction (call this the
"original request")."

Here: the ACK for the 487 to a cancelled INVITE.
"""

import pytest

from sipconform.scenario.uac import terminated
from sipconform.sip.uri import uri_equal
from sipconform.verify_uac import Findings, same_address

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.3-1"), pytest.mark.role("uac")]


def test_ack_for_487_has_the_invites_call_id_from_and_request_uri(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; CANCEL answered 200, INVITE answered 487.
    Expectation: the ACK's Call-ID, From (with its tag) and Request-URI equal the INVITE's."""
    call, _cancel, _final, ack = terminated(sip_peer, upper_tester)
    invite = call.invite
    found = Findings()
    if ack.call_id != invite.call_id:
        found.problems.append(f"Call-ID {ack.call_id!r} differs from the INVITE's {invite.call_id!r}")
    same_address("From", invite.header("from"), invite.from_.tag, ack, "from_", found)
    if not uri_equal(ack.uri, invite.uri):
        found.problems.append(f"Request-URI {ack.uri!r} differs from the INVITE's {invite.uri!r}")
    assert not found, found.text()
