"""RFC 3261 §8.1.3.1 ¶1 (RFC3261-8.1.3.1-1, MUST): "When a timeout error is received from the transaction
layer, it MUST be treated as if a 408 (Request Timeout) status code has been received."

Here: the CANCEL's client transaction times out (Timer F, 64*T1: the peer never answers it). A 408 to a
CANCEL ends nothing but the CANCEL: the INVITE keeps its own transaction, the early dialog is not ended with
BYE and the call is not tried again. Over UDP the retransmissions of the CANCEL show when its transaction
ended; a DUT that never stops them never reached the timeout (inconclusive). The 487 sent afterwards may
find the INVITE transaction gone already (§9.1 lets the UAC give the INVITE up 64*T1 after the CANCEL): an
ACK for it is not required.
"""

import pytest

from sipconform.flows.arrivals import transmission_times
from sipconform.flows.uac import answer, await_ack, ring_and_cancel
from sipconform.peer import NoMessage, UnexpectedMessage
from sipconform.sip import Request
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3261-8.1.3.1-1"), pytest.mark.role("uac"), pytest.mark.transport("udp"),
              pytest.mark.slow]


def test_cancel_timeout_ends_only_the_cancel(sip_peer, upper_tester, sip_timers):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; the peer never answers the CANCEL (nor the
    INVITE) and watches for 64*T1 + T2 + 4*T1; then it answers the INVITE 487. Expectation: no BYE and no
    INVITE (a new call or a new attempt) meanwhile; the CANCEL's retransmissions ended (its timeout came)."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    t1, t2, f = sip_timers.t1, sip_timers.t2, sip_timers.f

    def acting(m):
        return isinstance(m, Request) and m.method in ("BYE", "INVITE")
    try:
        sip_peer.expect_nothing(f + t2 + sip_timers.immediately, where=acting)
    except UnexpectedMessage as exc:
        answer(call, 487)
        pytest.fail(f"while its CANCEL went unanswered until Timer F (64*T1) the DUT sent a request a 408 to a "
                    f"CANCEL never calls for: {exc}", pytrace=False)
    times = transmission_times(sip_peer, cancel)
    answer(call, 487)
    try:
        await_ack(call, within=sip_timers.immediately)
    except NoMessage:
        pass  # §9.1: the INVITE may be given up 64*T1 after the CANCEL
    if times[-1] - times[0] > f + t1:
        inconclusive(f"the CANCEL was still retransmitted {times[-1] - times[0]:.3f} s after its first "
                     "transmission: its client transaction never timed out (Timer F, RFC3261-17.1.2.2-1)")
