"""RFC 3261 §17.1.2.2 ¶4 (RFC3261-17.1.2.2-2, MUST): "If Timer E fires while in the "Proceeding" state, the
request MUST be passed to the transport layer for retransmission, and Timer E MUST be reset with a value of
T2 seconds."

Here: the CANCEL's client transaction, answered 100 only (as an RFC 2543-era UAS may): it is in
"Proceeding", so its retransmissions go on, T2 apart, until Timer F.
"""

import pytest

from sipconform.flows.arrivals import await_copies, same_request
from sipconform.flows.uac import finish, ring_and_cancel
from sipconform.verdict import precondition
from sipconform.verify.retransmission import schedule_problems

pytestmark = [pytest.mark.clause("RFC3261-17.1.2.2-2"), pytest.mark.role("uac"), pytest.mark.transport("udp"),
              pytest.mark.slow]


def test_cancel_answered_100_retransmitted_every_t2(sip_peer, upper_tester, sip_timers):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; the peer answers the CANCEL 100 at once and
    then nothing. Expectation: two more transmissions of the CANCEL after the 100 within 2*T2 (*1.5 + 0.5 s),
    T2 apart (counted from the first after the 100)."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    t2 = sip_timers.t2
    sip_peer.respond(cancel, 100)
    answered_at = sip_peer.reactor.elapsed()
    window = sip_timers.tolerance(2 * t2)
    seen = await_copies(sip_peer, same_request(cancel), 3, window)
    finish(call, cancel)
    after = [item.time for item in seen if item.time > answered_at]
    assert len(after) >= 2, (f"after its 100 the CANCEL was retransmitted {len(after)} time(s) within {window:.3g} s; "
                             f"in \"Proceeding\" Timer E keeps firing, every T2 ({t2:g} s)")
    problems = schedule_problems(after, [t2] * (len(after) - 1), sip_timers, f"Timer E in \"Proceeding\" (T2={t2:g} s)")
    assert not problems, "; ".join(problems)
