"""RFC 3261 §17.1.1.3 ¶2 (RFC3261-17.1.1.3-3, MUST): "The ACK MUST contain a single Via header field, and
this MUST be equal to the top Via header field of the original request. The CSeq header field in the ACK
MUST contain the same value for the sequence number as was present in the original request, but the
method parameter MUST be equal to "ACK"."

Here: the ACK for the 487 to a cancelled INVITE (the same branch as the INVITE and its CANCEL).
"""

import pytest

from sipconform.scenario.uac import terminated
from sipconform.verdict import warn
from sipconform.verify_uac import Findings, same_top_via

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.3-3"), pytest.mark.role("uac")]


def test_ack_for_487_has_the_invites_top_via_and_cseq_number(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; CANCEL answered 200, INVITE answered 487.
    Expectation: the ACK has one Via, the INVITE's top Via (same branch), and CSeq "<INVITE's number> ACK"."""
    call, _cancel, _final, ack = terminated(sip_peer, upper_tester)
    found = Findings()
    same_top_via(call.invite, ack, found)
    if (ack.cseq.number, ack.cseq.method) != (call.invite.cseq.number, "ACK"):
        found.problems.append(f"CSeq {ack.header('cseq')!r}, expected '{call.invite.cseq.number} ACK'")
    assert not found, found.text()
    if found.notes:
        warn("; ".join(found.notes))
