"""RFC 3261 §17.1.1.3 ¶4 (RFC3261-17.1.1.3-5, NOT RECOMMENDED): "Therefore, placement of bodies in ACK for
non-2xx is NOT RECOMMENDED, but if done, the body types are restricted to any that appeared in the
INVITE, assuming that the response to the INVITE was not 415."

Here: the ACK for the 487. A body is a warning; a body of a type the INVITE did not carry is a fail.
"""

import pytest

from sipconform.flows.uac import await_ack, ring_and_cancel, terminate
from sipconform.verdict import Fail, precondition, warn
from sipconform.verify.ack import body_type

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.3-5"), pytest.mark.role("uac")]


def test_ack_for_487_has_no_body(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; CANCEL answered 200, INVITE answered 487.
    Expectation: the ACK has no body (if it has one, only of a type the INVITE carried)."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    terminate(call, cancel)
    with precondition("the DUT ACKs the 487 to its cancelled INVITE (RFC3261-17.1.1.2-1)"):
        ack = await_ack(call)
    found = body_type(call.invite, ack)
    if found:
        raise Fail(found.text())
    if found.notes:
        warn("; ".join(found.notes))
