"""RFC 3261 §9.1 ¶10 (RFC3261-9.1-15, SHOULD): "If there is no final response for the original request in
64*T1 seconds (T1 is defined in Section 17.1.1.1), the client SHOULD then consider the original
transaction cancelled and SHOULD destroy the client transaction handling the original request."

The peer behaves like an RFC 2543 UAS: it answers the CANCEL 200 and never sends a final response to the
INVITE. What the wire shows of "destroyed": a 487 that comes after 64*T1 (plus 4*T1 of grace, since the
RFC does not say when the 64*T1 start) matches no transaction any more, so the DUT does not ACK it
(RFC 6026 §7.2: it is dropped). An ACK of that late 487 is the warning; so is a second CANCEL meanwhile.
Over TCP, a DUT that has closed the INVITE's connection and refuses a new one cannot be sent the late
487 at all: it kept nothing of the call, which passes.
Whether the DUT's user interface shows the call ended is not observable here.
"""

import pytest

from sipconform.flows.arrivals import arrival, await_copies
from sipconform.flows.uac import acks_of, answer, ring_and_cancel
from sipconform.peer import SendError, UnexpectedMessage
from sipconform.verdict import precondition, warn

pytestmark = [pytest.mark.clause("RFC3261-9.1-15"), pytest.mark.role("uac"), pytest.mark.slow]


def test_invite_transaction_given_up_64t1_after_cancel(sip_peer, upper_tester, sip_timers):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; the CANCEL is answered 200 and the INVITE
    never gets a final response; after 64*T1 + 4*T1 the peer sends a late 487 (once).
    Expectation: no new CANCEL meanwhile, and no ACK for the late 487 within 4*T1."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    sip_peer.respond(cancel, 200)
    of_call = lambda m: m.call_id == call.invite.call_id  # noqa: E731
    try:
        sip_peer.expect_nothing(sip_timers.b + sip_timers.immediately, method="CANCEL", where=of_call)
    except UnexpectedMessage as exc:
        warn(f"while the INVITE had no final response the DUT sent another CANCEL: {exc}")
    sent_at = sip_peer.reactor.elapsed()
    try:
        answer(call, 487, retransmit=False)
    except SendError:
        return  # TCP: the DUT closed the connection and takes no new one: nothing of the call is left
    is_ack = acks_of(call, any_branch=True)  # an ACK it sent earlier (for another response) is not judged here
    late = await_copies(sip_peer, lambda m: is_ack(m) and arrival(sip_peer, m).time > sent_at, 1,
                        sip_timers.immediately)
    if late:
        warn("the DUT ACKed a 487 that came 64*T1 + 4*T1 after its CANCEL: it still held the INVITE client "
             "transaction instead of considering it cancelled and destroying it")
