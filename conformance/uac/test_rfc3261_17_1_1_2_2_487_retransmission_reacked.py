"""RFC 3261 §17.1.1.2 ¶8 (RFC3261-17.1.1.2-2, MUST / MUST NOT): "Any retransmissions of the final response
that are received while in the "Completed" state MUST cause the ACK to be re-passed to the transport layer
for retransmission, but the newly received response MUST NOT be passed up to the TU."

Here: the 487 to the cancelled INVITE, retransmitted by the peer as if its ACK had been lost. Each copy
arrives well inside Timer D (at most 12*T1 after the first), so the transaction is still "Completed".
"""

import pytest

from sipconform.flows.uac import await_ack, reack_counts, ring_and_cancel, terminate
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.2-2"), pytest.mark.role("uac"), pytest.mark.transport("udp")]


def test_retransmitted_487_is_acked_again(sip_peer, upper_tester, sip_timers):
    """Stimulus: the whole §9.1 flow (180, CANCEL answered 200, 487, ACK); then the peer sends the 487
    again three times, each once the previous copy's ACKs were counted (4*T1 + T1). Expectation: an ACK
    for each copy within 4*T1."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    final = terminate(call, cancel)
    with precondition("the DUT ACKs the 487 to its cancelled INVITE (RFC3261-17.1.1.2-1)"):
        await_ack(call)
    counts = reack_counts(call, final, 3)
    missing = [k + 1 for k, n in enumerate(counts) if n == 0]
    assert not missing, (f"copies {missing} of the 487 (of 3 sent) drew no ACK within "
                         f"{sip_timers.immediately:.3g} s: a retransmitted final response in \"Completed\" must "
                         "have the ACK sent again")
