"""RFC 3261 §17.1.1.2 ¶8 (RFC3261-17.1.1.2-2, MUST / MUST NOT): "Any retransmissions of the final response
that are received while in the "Completed" state MUST cause the ACK to be re-passed to the transport layer
for retransmission, but the newly received response MUST NOT be passed up to the TU."

Here: the 487 to the cancelled INVITE, retransmitted by the peer as if its ACK had been lost. Each copy
arrives well inside Timer D (at most 12*T1 after the first), so the transaction is still "Completed".
"""

import pytest

from sipconform.scenario.uac import reack_counts, terminated

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.2-2"), pytest.mark.role("uac"), pytest.mark.transport("udp")]


def test_retransmitted_487_is_acked_again(sip_peer, upper_tester, sip_timers):
    """Stimulus: the whole §9.1 flow (180, CANCEL answered 200, 487, ACK); then the peer sends the 487
    again three times, 6*T1 apart. Expectation: an ACK for each copy within 4*T1."""
    call, _, final, _ = terminated(sip_peer, upper_tester)
    t1 = sip_timers.t1
    counts = reack_counts(call, final, [0, 6 * t1, 12 * t1])
    missing = [k + 1 for k, n in enumerate(counts) if n == 0]
    assert not missing, (f"copies {missing} of the 487 (of 3 sent) drew no ACK within {4 * t1:.3g} s: a "
                         "retransmitted final response in \"Completed\" must have the ACK sent again")
