"""RFC 3261 §9.1 ¶8 (RFC3261-9.1-8, MUST NOT): "If no provisional response has been received, the CANCEL
request MUST NOT be sent; rather, the client MUST wait for the arrival of a provisional response before
sending the request."

The peer withholds every provisional response and the DUT hangs up at once. Over UDP the window lasts
until the DUT has retransmitted its INVITE twice (Timer A: T1, then 2*T1), which proves it alive and still
waiting; over TCP it is 4*T1. The "MUST wait" half (a late 1xx releases the CANCEL) is RFC3261-9.1-9.
"""

import pytest

from sipconform.flows.uac import finish, silent_hang_up
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3261-9.1-8"), pytest.mark.role("uac")]


def test_no_cancel_before_a_provisional(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer, which sends no response at all; the DUT hangs up at once.
    Expectation: no CANCEL while no provisional response was sent (UDP: up to the INVITE's second
    retransmission; TCP: 4*T1)."""
    with precondition("the DUT calls the peer when the upper tester makes it, and hangs up when told"):
        silent = silent_hang_up(sip_peer, upper_tester)
    finish(silent.call)
    if silent.cancels:
        first = silent.cancels[0]
        pytest.fail(f"the DUT sent a CANCEL at +{first.time:.3f} s although the peer had sent no provisional "
                    "response to its INVITE", pytrace=False)
    if silent.retransmissions is not None and silent.retransmissions < 2:
        inconclusive(f"the DUT retransmitted its INVITE {silent.retransmissions} time(s) within "
                     f"{silent.window:.3g} s (Timer A, RFC3261-17.1.1.2), so the window does not show it still "
                     "waiting")
