"""RFC 3261 §17.1.3 ¶3 item 2 (RFC3261-17.1.3-1, MUST): a response matches a client transaction "If the
method parameter in the CSeq header field matches the method of the request that created the transaction.
The method is needed since a CANCEL request constitutes a different transaction, but shares the same value
of the branch parameter."

The 200 to the CANCEL and the 487 to the INVITE carry the same branch; only the CSeq method tells them apart.
The 487 belongs to the INVITE transaction (it ACKs it, with the INVITE's branch); the 200 (CSeq "n CANCEL")
is no answer to the INVITE: no ACK for it (that would be an ACK for a 2xx, on a new branch) and no BYE.
"""

import pytest

from sipconform.flows.arrivals import copies
from sipconform.flows.uac import acks_of, answer, ring_and_cancel
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3261-17.1.3-1"), pytest.mark.role("uac")]


@pytest.mark.parametrize("order", ["200-then-487", "487-then-200"])
def test_cancel_200_and_487_reach_their_own_transactions(sip_peer, upper_tester, sip_timers, order):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; the peer answers the CANCEL 200 and the
    INVITE 487, back to back in the given order. Expectation: in the 4*T1 after the ACK for the 487 (CSeq
    "<n> ACK", the INVITE's branch or, if none has it, the first; within 8*T1, a precondition) no other ACK
    of the call and no BYE."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    if order == "200-then-487":
        sip_peer.respond(cancel, 200)
        answer(call, 487)
    else:
        answer(call, 487)
        sip_peer.respond(cancel, 200)
    is_ack = acks_of(call, any_branch=True)
    sip_peer.wait_until(lambda: bool(copies(sip_peer, is_ack)), sip_timers.ack)
    sip_peer.reactor.run_for(sip_timers.immediately)
    acks = copies(sip_peer, is_ack)
    branch = call.invite.top_via.branch
    own = next((i for i in acks if i.message.top_via.branch == branch), acks[0] if acks else None)
    acked = own is not None

    def stray(m):  # a BYE, or an ACK other than the 487's (whose wrong branch is RFC3261-17.1.1.3-3's business)
        return (getattr(m, "method", None) in ("ACK", "BYE") and m.call_id == call.invite.call_id
                and not (acked and is_ack(m) and m.top_via.branch == own.message.top_via.branch))
    others = copies(sip_peer, stray)
    assert not others, (f"the DUT sent {others[0].first_line!r} (branch "
                        f"{others[0].message.top_via.branch!r}): it took the 200 to its CANCEL (CSeq "
                        f"\"{cancel.cseq.number} CANCEL\") for an answer to its INVITE")
    if not acked:
        inconclusive(f"precondition not reached: the DUT ACKs the 487 to its cancelled INVITE (RFC3261-17.1.1.2-1): "
                     f"no ACK within {sip_timers.ack:.3g} s, so whether the 487 reached the INVITE client "
                     "transaction cannot be seen")
