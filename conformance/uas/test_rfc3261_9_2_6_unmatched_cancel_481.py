"""RFC 3261 §9.2 ¶4 (RFC3261-9.2-6, SHOULD): "If the UAS did not find a matching transaction for the
CANCEL according to the procedure above, it SHOULD respond to the CANCEL with a 481 (Call Leg/Transaction
Does Not Exist)."

A CANCEL for the ringing INVITE that differs from the right one only in its top Via branch or sent-by
matches no transaction, unless the DUT takes it for a match: then its answer is no unmatched CANCEL's
answer, and that matching fault is RFC3261-17.2.3-1/-2 and RFC3261-9.2-1's to judge. Likewise a 482 is
the merged-request check applied to a CANCEL (RFC3261-8.2.2.2-1), and a refusal (405, 487, ...) that a
plain, matching CANCEL gets as well is no answer to the matching's outcome (RFC3261-9.2-10).
"""

import pytest

from sipconform.flows.uas import CancelControl, is_final_to, ring
from sipconform.flows.variants import cancel_for_no_call, cancel_with_other_branch, cancel_with_other_sent_by
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3261-9.2-6"), pytest.mark.role("uas")]


def refused_regardless(peer, dut, response):
    """A refusal (neither 481 nor 200) that a plain, matching CANCEL of another ringing call gets too: the DUT
    answers every CANCEL so, whatever the matching found, and the clause cannot be judged."""
    if response.status in (200, 481):
        return
    plain = CancelControl(peer, dut).plain_answer()
    if plain.status == response.status:
        inconclusive(f"the CANCEL was answered {response.start_line!r}, and a plain, matching CANCEL got "
                     f"{plain.start_line!r} as well: the DUT answers every CANCEL so (see RFC3261-9.2-10), "
                     "whether it matched or not")


def test_cancel_for_an_unknown_call_gets_481(sip_peer, dut):
    """Stimulus: a CANCEL for an INVITE the DUT never saw (fresh Call-ID, tags and branch).
    Expectation: 481."""
    request = cancel_for_no_call(sip_peer, dut)
    sip_peer.send(request)
    response = sip_peer.expect_response(request, final=True)
    refused_regardless(sip_peer, dut, response)
    assert response.status == 481, f"an unmatched CANCEL was answered {response.start_line!r}, not 481"


@pytest.mark.parametrize(("variant", "rule"), [(cancel_with_other_branch, "RFC3261-17.2.3-1"),
                                               (cancel_with_other_sent_by, "RFC3261-17.2.3-2")],
                         ids=["other-branch", "other-sent-by"])
def test_cancel_not_matching_the_ringing_invite_gets_481(sip_peer, dut, sip_timers, variant, rule):
    """Stimulus: INVITE; the DUT rings; a CANCEL equal to the right one except for the top Via's branch
    (or sent-by), which §17.2.3 matches on. Expectation: 481. Not 481 but the INVITE ended within 4*T1
    (the DUT took the CANCEL for a match), or 482 (a merged request): inconclusive, naming the clause."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    request = variant(call)
    sip_peer.send(request)
    response = sip_peer.expect_response(request, final=True)
    if response.status == 481:
        return
    if response.status == 482:
        inconclusive(f"the CANCEL was answered {response.start_line!r}: taken for a merged request, which is "
                     "RFC3261-8.2.2.2-1's to judge, not an answer to a CANCEL matching nothing")
    ended = lambda: sip_peer.arrivals(is_final_to(call.invite))  # noqa: E731
    sip_peer.wait_until(lambda: bool(ended()), within=sip_timers.immediately)
    if ended():
        inconclusive(f"the CANCEL was answered {response.start_line!r} and ended the ringing INVITE with "
                     f"{ended()[0].first_line!r}: the DUT took it for a match, a matching fault ({rule}, "
                     "RFC3261-9.2-1), so it was no unmatched CANCEL")
    refused_regardless(sip_peer, dut, response)
    assert response.status == 481, f"a CANCEL matching no transaction was answered {response.start_line!r}, not 481"
