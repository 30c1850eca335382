"""RFC 6026 §8.4 (RFC6026-8.4-2, MUST / MUST NOT): "Any retransmissions of a response with status code
300-699 that are received while in the "Completed" state MUST cause the ACK to be re-passed to the transport
layer for retransmission, but the newly received response MUST NOT be passed up to the TU."

The wire shows the TU's side through what it sends: a copy of the 487 draws exactly one ACK (the
transaction's), and nothing else: a second ACK, a new CANCEL, INVITE or BYE would be the TU acting on a
response it must not have seen.
"""

import pytest

from sipconform.scenario.uac import ack_matched_the_invite, await_cancel_settled, reack_counts, terminated
from sipconform.sip import Request

pytestmark = [pytest.mark.clause("RFC6026-8.4-2"), pytest.mark.role("uac"), pytest.mark.transport("udp")]


def test_487_copies_stay_in_the_transaction(sip_peer, upper_tester, sip_timers):
    """Stimulus: the whole §9.1 flow (180, CANCEL answered 200, 487, ACK; the CANCEL's retransmissions stop:
    a precondition, else a later CANCEL could be one; so is an ACK that matched the INVITE's transaction); then the peer sends the 487 again twice, 6*T1 apart.
    Expectation: exactly one ACK per copy (within 4*T1, T1 more allowed for another) and no other request
    from the DUT meanwhile."""
    call, cancel, final, ack = terminated(sip_peer, upper_tester)
    ack_matched_the_invite(call, ack)
    await_cancel_settled(call, cancel)
    t1 = sip_timers.t1
    before = len(sip_peer.received())
    counts = reack_counts(call, final, [0, 6 * t1])
    others = [i for i in sip_peer.received()[before:] if isinstance(i.message, Request) and i.message.method != "ACK"]
    assert all(n >= 1 for n in counts), (f"a copy of the 487 drew no ACK (ACKs per copy: {counts}): the ACK must "
                                         "be re-passed to the transport")
    assert all(n == 1 for n in counts), (f"ACKs per copy of the 487: {counts}: more than the transaction's one; "
                                         "the copy was passed up to the TU, which ACKed it as well")
    assert not others, (f"after a copy of the 487 the DUT sent {others[0].first_line!r}: the copy was passed up "
                        "to the TU")
