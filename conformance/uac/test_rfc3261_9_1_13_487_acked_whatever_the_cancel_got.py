"""RFC 3261 §9.1 ¶10 (RFC3261-9.1-13, IMPL): "Note that both the transaction corresponding to the original
request and the CANCEL transaction will complete independently."

The 487 is ACKed by the INVITE client transaction (§17.1.1.2) whatever happened to the CANCEL: answered
before the 487, not yet answered, or answered 481. The ACK is due at once; the peer allows 8*T1.
"""

import pytest

from sipconform.peer import NoMessage
from sipconform.scenario.uac import answer, cancelled, finish
from sipconform.verdict import inconclusive

pytestmark = [pytest.mark.clause("RFC3261-9.1-13"), pytest.mark.role("uac")]


@pytest.mark.parametrize("order", ["200-then-487", "487-then-200", "481-then-487"])
def test_487_is_acked_whatever_the_cancel_got(sip_peer, upper_tester, sip_timers, order):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; the peer answers the CANCEL and the INVITE
    in the given order (487-then-200: the 200 to the CANCEL only after 8*T1 without an ACK, or after the
    ACK). Expectation: the DUT ACKs the 487 (CSeq number of the INVITE, method ACK) within 8*T1. A DUT that
    ACKs no 487 at all (the plain order 200-then-487, or an ACK not even after the late 200) breaks
    RFC3261-17.1.1.2-1, not this clause: inconclusive."""
    call, cancel = cancelled(sip_peer, upper_tester)
    first, _, second = order.split("-")
    if first in ("200", "481"):
        sip_peer.respond(cancel, int(first))
    answer(call, 487)
    window = 8 * sip_timers.t1
    ack = _ack(call, window)
    if second == "200":
        finish(call, cancel)
        if ack is None and _ack(call, window) is not None:
            pytest.fail(f"no ACK for the 487 within {window:.3g} s, but one once the CANCEL got its 200: the INVITE "
                        "transaction waited for the CANCEL's", pytrace=False)
    if ack is None and first != "481":
        later = ", not even once the CANCEL got its 200" if second == "200" else ""
        inconclusive(f"precondition not reached: the DUT ACKs the 487 to its cancelled INVITE (RFC3261-17.1.1.2-1): "
                     f"no ACK within {window:.3g} s{later}")
    assert ack is not None, f"no ACK for the 487 within {window:.3g} s after a 481 to the CANCEL"
    assert (ack.cseq.number, ack.cseq.method) == (call.invite.cseq.number, "ACK"), (
        f"the ACK's CSeq is {ack.header('cseq')!r}, expected '{call.invite.cseq.number} ACK'")


def _ack(call, within):
    """The DUT's ACK of the call within ``within`` seconds, or None."""
    try:
        return call.peer.expect_request("ACK", within=within, where=lambda r: r.call_id == call.invite.call_id)
    except NoMessage:
        return None
