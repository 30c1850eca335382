"""RFC 3261 §17.1.2.2 ¶5 (RFC3261-17.1.2.2-3, MUST): "Once the client transaction enters the "Completed"
state, it MUST set Timer K to fire in T4 seconds for unreliable transports, and zero seconds for reliable
transports."

The "Completed" state buffers retransmissions of the final response: a retransmitted 200 to the CANCEL is
absorbed there. Nothing shows on the wire: no new CANCEL, and no ACK (an ACK is never sent for a response
to a CANCEL).
"""

import pytest

from sipconform.flows.arrivals import copies, same_request
from sipconform.flows.uac import answer, await_ack, resend, ring_and_cancel
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-17.1.2.2-3"), pytest.mark.role("uac"), pytest.mark.transport("udp")]


def test_retransmitted_cancel_200_is_absorbed(sip_peer, upper_tester, sip_timers):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; the peer answers the CANCEL 200, sends that
    200 twice more (2*T1 apart) and watches 4*T1; then answers the INVITE 487. Expectation: no CANCEL after
    the 200 (T1/2 allowed for one in flight), no ACK for the 200's copies (unless the first 200 drew one
    already: RFC3261-17.1.3-1's), and the 487 ACKed."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    ok = sip_peer.respond(cancel, 200)
    answered_at = sip_peer.reactor.elapsed()
    resent_at = answered_at + sip_timers.settle
    for _ in range(2):
        sip_peer.reactor.run_for(sip_timers.settle)
        resend(call, ok)
    sip_peer.reactor.run_for(sip_timers.immediately)
    of_call = lambda m: getattr(m, "method", None) == "ACK" and m.call_id == call.invite.call_id  # noqa: E731
    # An ACK of the first 200 is RFC3261-17.1.3-1's (the 200 taken for the INVITE's answer), and so are its
    # re-sendings for the copies (§13.2.2.4); only ACKs that the copies alone drew are this clause's.
    acks = copies(sip_peer, of_call)
    early_acks = [] if any(i.time <= resent_at for i in acks) else acks
    late = [i for i in copies(sip_peer, same_request(cancel)) if i.time > answered_at + sip_timers.crossing]
    answer(call, 487)
    with precondition("the DUT ACKs the 487 to its cancelled INVITE (RFC3261-17.1.1.2-1)"):
        await_ack(call, within=sip_timers.ack)
    assert not late, (f"the DUT sent the CANCEL {len(late)} more time(s) after its 200 (retransmitted twice), the "
                      f"first {late[0].time - answered_at:.3f} s after it: the 200's copies were not absorbed")
    assert not early_acks, (f"the DUT sent an ACK ({early_acks[0].first_line!r}) for a copy of the 200 to its "
                            "CANCEL, before any final response to its INVITE: the copy was not absorbed")
