"""RFC 3261 §13.3.1 ¶3 (RFC3261-13.3.1-1, SHOULD): "If the invitation expires before the UAS has generated
a final response, a 487 (Request Terminated) response SHOULD be generated."

Here: a CANCEL-free path to the 487: the INVITE's own Expires.
"""

import math

import pytest

from sipconform.flows.uas import ring
from sipconform.peer import NoMessage
from sipconform.verdict import precondition, warn

pytestmark = [pytest.mark.clause("RFC3261-13.3.1-1"), pytest.mark.role("uas")]


def test_expired_invitation_gets_487(sip_peer, dut, sip_timers):
    """Stimulus: INVITE with ``Expires: <Timers.immediately rounded up, at least 1>``; the DUT rings; no CANCEL.
    Expectation: a 487 once the Expires has passed (waited for Expires + ``Timers.ack``, the 8*T1 the 487 and
    its first retransmissions take)."""
    expires = max(1, math.ceil(sip_timers.immediately))
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut, headers=[("Expires", str(expires))])
    deadline = expires + sip_timers.ack
    try:
        while call.final is None:
            call.responses.append(sip_peer.expect_response(call.invite, within=deadline))
    except NoMessage:
        warn(f"the INVITE with Expires: {expires} was still pending {deadline:.3g} s later: no 487")
    if call.final.status != 487:
        warn(f"the expired INVITE was answered {call.final.start_line!r}, not 487")
