"""RFC 3261 §9.1 ¶8 (RFC3261-9.1-11, IMPL MUST): "When the client decides to send the CANCEL, it creates a
client transaction for the CANCEL and passes it the CANCEL request along with the destination address,
port, and transport."

A non-INVITE client transaction (§17.1.2.2): over UDP an unanswered CANCEL is retransmitted (Timer E: T1,
then 2*T1, ...) and the retransmissions stop at its final response; over TCP it is sent once.
"""

import pytest

from sipconform.flows.arrivals import await_copies, copies, same_request
from sipconform.flows.uac import finish, ring_and_cancel
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-9.1-11"), pytest.mark.role("uac")]


def test_cancel_runs_its_own_client_transaction(sip_peer, upper_tester, sip_timers, sip_transport):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; the peer leaves the CANCEL unanswered, then
    answers it 200. Expectation: UDP: two retransmissions of the CANCEL (due at T1 and 3*T1), none after
    the 200; TCP: no retransmission within 4*T1."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    same = same_request(cancel)
    if sip_transport == "udp":
        window = sip_timers.tolerance(sip_timers.transmissions(3, cap=sip_timers.t2))
        seen = await_copies(sip_peer, same, 3, window)
        if len(seen) < 3:
            finish(call, cancel)
            pytest.fail(f"the unanswered CANCEL was retransmitted {len(seen) - 1} time(s) within {window:.3g} s "
                        "over UDP; Timer E calls for two (at T1 and 3*T1)", pytrace=False)
        answered_at = sip_peer.reactor.elapsed()
        sip_peer.respond(cancel, 200)
        next_due = sip_timers.non_invite_intervals(3)[-1]  # the firing of Timer E the 200 must stop
        late = [i for i in await_copies(sip_peer, same, 1_000, next_due + sip_timers.settle)
                if i.time > answered_at + sip_timers.crossing]
        finish(call)
        assert not late, (f"the CANCEL was retransmitted {len(late)} time(s) after its 200 OK, the first "
                          f"{late[0].time - answered_at:.3f} s after it")
    else:
        sip_peer.reactor.run_for(sip_timers.immediately)
        count = len(copies(sip_peer, same))
        finish(call, cancel)
        assert count == 1, f"the CANCEL was sent {count} times over TCP (a reliable transport: no Timer E)"
