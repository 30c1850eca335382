"""RFC 6026 §8.4 (RFC6026-8.4-2, MUST / MUST NOT): "Any retransmissions of a response with status code
300-699 that are received while in the "Completed" state MUST cause the ACK to be re-passed to the transport
layer for retransmission, but the newly received response MUST NOT be passed up to the TU."

The wire shows the TU's side through what it sends: a copy of the 487 draws exactly one ACK (the
transaction's), and nothing else: a second ACK, a new CANCEL, INVITE or BYE would be the TU acting on a
response it must not have seen.
"""

import pytest

from sipconform.flows.uac import await_ack, reack_counts, ring_and_cancel, settle_cancel, terminate
from sipconform.sip import Request
from sipconform.verdict import inconclusive, precondition
from sipconform.verify.ack import matches_the_invite_transaction

pytestmark = [pytest.mark.clause("RFC6026-8.4-2"), pytest.mark.role("uac"), pytest.mark.transport("udp")]


def test_487_copies_stay_in_the_transaction(sip_peer, upper_tester, sip_timers):
    """Stimulus: the whole §9.1 flow (180, CANCEL answered 200, 487, ACK; the CANCEL's retransmissions stop:
    a precondition, else a later CANCEL could be one; so is an ACK that matched the INVITE's transaction);
    then the peer sends the 487 again twice, each once the previous copy's ACKs were counted.
    Expectation: exactly one ACK per copy (within 4*T1, T1 more allowed for another) and no other request
    from the DUT meanwhile."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    final = terminate(call, cancel)
    with precondition("the DUT ACKs the 487 to its cancelled INVITE (RFC3261-17.1.1.2-1)"):
        ack = await_ack(call)
    if unmatched := matches_the_invite_transaction(call.invite, ack):
        inconclusive(f"precondition not reached: the DUT's ACK for the 487 matches the INVITE's transaction "
                     f"(RFC3261-17.1.1.3-3): {unmatched[0]}, so the peer's own 487 retransmissions went on and the "
                     "ACKs of a copy cannot be counted")
    if late := settle_cancel(call, cancel):
        inconclusive("precondition not reached: the DUT's CANCEL transaction takes the 200 to it (RFC3261-9.1-11): "
                     f"it sent the CANCEL again {late[0]:.3f} s after the first copy, its 200 notwithstanding, so a "
                     "later CANCEL cannot be told from a retransmission")
    before = len(sip_peer.received())
    counts = reack_counts(call, final, 2)
    others = [i for i in sip_peer.received()[before:] if isinstance(i.message, Request) and i.message.method != "ACK"]
    assert all(n >= 1 for n in counts), (f"a copy of the 487 drew no ACK (ACKs per copy: {counts}): the ACK must "
                                         "be re-passed to the transport")
    assert all(n == 1 for n in counts), (f"ACKs per copy of the 487: {counts}: more than the transaction's one; "
                                         "the copy was passed up to the TU, which ACKed it as well")
    assert not others, (f"after a copy of the 487 the DUT sent {others[0].first_line!r}: the copy was passed up "
                        "to the TU")
