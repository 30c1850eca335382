"""RFC 3261 §17.1.1.3 ¶2 (RFC3261-17.1.1.3-3, MUST): "The ACK MUST contain a single Via header field, and
this MUST be equal to the top Via header field of the original request. The CSeq header field in the ACK
MUST contain the same value for the sequence number as was present in the original request, but the
method parameter MUST be equal to "ACK"."

Here: the ACK for the 487 to a cancelled INVITE (the same branch as the INVITE and its CANCEL).
"""

import pytest

from sipconform.flows.uac import await_ack, ring_and_cancel, terminate
from sipconform.verdict import precondition, warn
from sipconform.verify.ack import via_and_cseq

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.3-3"), pytest.mark.role("uac")]


def test_ack_for_487_has_the_invites_top_via_and_cseq_number(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; CANCEL answered 200, INVITE answered 487.
    Expectation: the ACK has one Via, the INVITE's top Via (same branch), and CSeq "<INVITE's number> ACK"."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    terminate(call, cancel)
    with precondition("the DUT ACKs the 487 to its cancelled INVITE (RFC3261-17.1.1.2-1)"):
        ack = await_ack(call)
    found = via_and_cseq(call.invite, ack)
    assert not found, found.text()
    if found.notes:
        warn("; ".join(found.notes))
