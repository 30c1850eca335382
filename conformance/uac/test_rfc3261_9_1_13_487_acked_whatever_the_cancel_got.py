"""RFC 3261 §9.1 ¶10 (RFC3261-9.1-13, IMPL): "Note that both the transaction corresponding to the original
request and the CANCEL transaction will complete independently."

The 487 is ACKed by the INVITE client transaction (§17.1.1.2) whatever happened to the CANCEL: answered
before the 487, not yet answered, or answered 481. The ACK is due at once; the peer allows 8*T1. A DUT
that ACKs no 487 at all breaks RFC3261-17.1.1.2-1, not this clause: when the 487 after a 481 draws no ACK, a
control call (CANCEL answered 200, then the 487) tells the two apart.
"""

import pytest

from sipconform.flows.uac import answer, finish, ring_and_cancel, terminate
from sipconform.peer import NoMessage
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3261-9.1-13"), pytest.mark.role("uac")]


@pytest.mark.parametrize("order", ["200-then-487", "487-then-200", "481-then-487"])
def test_487_is_acked_whatever_the_cancel_got(sip_peer, upper_tester, sip_timers, order):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; the peer answers the CANCEL and the INVITE
    in the given order (487-then-200: the 200 to the CANCEL only after 8*T1 without an ACK, or after the
    ACK; 481-then-487 without an ACK: a control call, 200-then-487). Expectation: the DUT ACKs the 487 (CSeq
    number of the INVITE, method ACK) within 8*T1. A DUT that ACKs no 487 at all (the plain order
    200-then-487, an ACK not even after the late 200, none in the control call) breaks RFC3261-17.1.1.2-1,
    not this clause: inconclusive."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    first, _, second = order.split("-")
    if first in ("200", "481"):
        sip_peer.respond(cancel, int(first))
    answer(call, 487)
    window = sip_timers.ack
    ack = _ack(call, window)
    later = ""
    if second == "200":
        finish(call, cancel)
        if ack is None and _ack(call, window) is not None:
            pytest.fail(f"no ACK for the 487 within {window:.3g} s, but one once the CANCEL got its 200: the INVITE "
                        "transaction waited for the CANCEL's", pytrace=False)
        later = ", not even once the CANCEL got its 200"
    elif first == "481" and ack is None:
        if _acks_the_487_of_a_control_call(sip_peer, upper_tester, window):
            pytest.fail(f"no ACK for the 487 within {window:.3g} s after a 481 to the CANCEL, though the DUT ACKs "
                        "the 487 when its CANCEL got a 200: the 481 ended the INVITE transaction", pytrace=False)
        later = ", nor in a control call whose CANCEL got a 200"
    if ack is None:
        inconclusive(f"precondition not reached: the DUT ACKs the 487 to its cancelled INVITE (RFC3261-17.1.1.2-1): "
                     f"no ACK within {window:.3g} s{later}")
    assert (ack.cseq.number, ack.cseq.method) == (call.invite.cseq.number, "ACK"), (
        f"the ACK's CSeq is {ack.header('cseq')!r}, expected '{call.invite.cseq.number} ACK'")


def _ack(call, within):
    """The DUT's ACK of the call within ``within`` seconds, or None."""
    try:
        return call.peer.expect_request("ACK", within=within, where=lambda r: r.call_id == call.invite.call_id)
    except NoMessage:
        return None


def _acks_the_487_of_a_control_call(peer, upper_tester, within):
    """A second call in the plain order (CANCEL answered 200, then the 487): is its 487 ACKed within ``within``?"""
    try:
        call, cancel = ring_and_cancel(peer, upper_tester)
    except NoMessage:
        return False
    terminate(call, cancel)
    return _ack(call, within) is not None
