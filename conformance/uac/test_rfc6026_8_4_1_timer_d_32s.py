"""RFC 6026 §8.4 (RFC6026-8.4-1, MUST, replacing RFC 3261 §17.1.1.2's SHOULD): "The client transaction MUST
start Timer D when it enters the "Completed" state for any reason, with a value of at least 32 seconds for
unreliable transports, and a value of zero seconds for reliable transports."

Over UDP the INVITE transaction stays "Completed" for Timer D, so a copy of the 487 that comes up to 60*T1
(30 s at T1 = 0.5 s) after it still finds it and is ACKed. (The zero of a reliable transport is what
RFC6026-7.2-2 relies on.)
"""

import pytest

from sipconform.flows.uac import await_ack, reack_counts, ring_and_cancel, terminate
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC6026-8.4-1"), pytest.mark.role("uac"), pytest.mark.transport("udp"),
              pytest.mark.slow]


def test_487_copies_acked_until_timer_d(sip_peer, upper_tester, sip_timers):
    """Stimulus: the whole §9.1 flow (180, CANCEL answered 200, 487, ACK); then the peer sends the 487 again
    T1, 16*T1 (Timer D / 4) and 60*T1 (Timer D less 4*T1) later. Expectation: an ACK for each copy within
    4*T1."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    final = terminate(call, cancel)
    with precondition("the DUT ACKs the 487 to its cancelled INVITE (RFC3261-17.1.1.2-1)"):
        await_ack(call)
    offsets = [sip_timers.t1, sip_timers.d / 4, sip_timers.d - sip_timers.immediately]
    counts = reack_counts(call, final, offsets=offsets)
    if not any(counts):
        inconclusive("precondition not reached: the DUT ACKs a copy of the 487 (RFC3261-17.1.1.2-2): none drew an "
                     f"ACK, not even {offsets[0]:.3g} s (T1) after the first, so how long \"Completed\" lasts "
                     "cannot be seen")
    missing = [f"{offsets[k]:.3g} s" for k, n in enumerate(counts) if n == 0]
    assert not missing, (f"the 487 sent again {', '.join(missing)} after the first drew no ACK: the INVITE "
                         f"client transaction left \"Completed\" before Timer D (at least 32 s; "
                         f"{sip_timers.d:.3g} s = 64*T1 here)")
