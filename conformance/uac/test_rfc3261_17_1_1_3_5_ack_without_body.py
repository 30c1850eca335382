"""RFC 3261 §17.1.1.3 ¶4 (RFC3261-17.1.1.3-5, NOT RECOMMENDED): "Therefore, placement of bodies in ACK for
non-2xx is NOT RECOMMENDED, but if done, the body types are restricted to any that appeared in the
INVITE, assuming that the response to the INVITE was not 415."

Here: the ACK for the 487. A body is a warning; a body of a type the INVITE did not carry is a fail.
"""

import pytest

from sipconform.scenario.uac import terminated
from sipconform.verdict import Fail, warn

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.3-5"), pytest.mark.role("uac")]


def _type(value):
    return (value or "").split(";")[0].strip().lower()


def test_ack_for_487_has_no_body(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; CANCEL answered 200, INVITE answered 487.
    Expectation: the ACK has no body (if it has one, only of a type the INVITE carried)."""
    call, _cancel, _final, ack = terminated(sip_peer, upper_tester)
    if not ack.body:
        return
    ack_type, invite_type = _type(ack.header("content-type")), _type(call.invite.header("content-type"))
    if ack_type != invite_type:
        raise Fail(f"the ACK for the 487 carries a {ack_type or 'untyped'} body; the INVITE carried "
                   f"{invite_type or 'none'}")
    warn(f"the ACK for the 487 carries a body ({len(ack.body)} bytes of {ack_type}): NOT RECOMMENDED")
