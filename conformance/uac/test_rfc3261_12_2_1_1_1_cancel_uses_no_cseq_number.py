"""RFC 3261 §12.2.1.1 ¶4 (RFC3261-12.2.1.1-1, MUST): "Requests within a dialog MUST contain strictly
monotonically increasing and contiguous CSeq sequence numbers (increasing-by-one) in each direction
(excepting ACK and CANCEL of course, whose numbers equal the requests being acknowledged or cancelled)."

Here: a re-INVITE the DUT cancels. The re-INVITE takes the next number after the INVITE's, its CANCEL (and
the ACK of its 487) repeat that number, and the BYE that ends the call takes the one after it: the CANCEL
consumed none. Needs an upper tester that can make the DUT re-INVITE and cancel (inconclusive otherwise).
"""

import pytest

from sipconform.flows.uac import answer_bye, cancel_reinvite, establish, hang_up
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-12.2.1.1-1"), pytest.mark.role("uac")]


def test_cancelled_reinvite_leaves_the_cseq_sequence_contiguous(sip_peer, upper_tester, sip_timers):
    """Stimulus: the DUT calls; the peer answers 200; the DUT ACKs; the upper tester makes the DUT re-INVITE;
    the peer rings (180); the upper tester cancels; the peer answers the CANCEL 200 and the re-INVITE 487;
    the upper tester hangs up. Expectation: CSeq numbers INVITE n, re-INVITE n+1, CANCEL n+1, BYE n+2."""
    with precondition("the DUT calls and ACKs the 2xx (RFC3261-13.2.2.4-1)"):
        call, _ = establish(sip_peer, upper_tester)
    with precondition("the DUT re-INVITEs and cancels the re-INVITE when the upper tester makes it (§14.1, §9.1), "
                      "and ACKs its 487 (RFC3261-17.1.1.2-1)"):
        reinvite, cancel = cancel_reinvite(call)
    hang_up(call)
    bye = answer_bye(call, within=sip_timers.b)
    with precondition("the DUT ends the call with BYE when the upper tester hangs up (RFC 3261 §15.1.1)"):
        assert bye is not None, f"no BYE within {sip_timers.b:.3g} s of the hang-up"
    n = call.invite.cseq.number
    got = {"re-INVITE": reinvite.cseq.number, "CANCEL": cancel.cseq.number, "BYE": bye.cseq.number}
    want = {"re-INVITE": n + 1, "CANCEL": n + 1, "BYE": n + 2}
    wrong = [f"the {what}'s CSeq number is {got[what]}, expected {want[what]}"
             for what in got if got[what] != want[what]]
    assert not wrong, "; ".join(wrong) + f" (INVITE {n}: increasing by one, the CANCEL repeating its re-INVITE's)"
