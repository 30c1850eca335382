"""RFC 3261 §17.2.3 (RFC3261-17.2.3-3, MUST, RFC 2543 compatibility): "The INVITE request matches a
transaction if the Request-URI, To tag, From tag, Call-ID, CSeq, and top Via header field match those
of the INVITE request which created the transaction." — used when the top Via has no branch with the
magic cookie ``z9hG4bK``; §9.2 applies it to CANCEL.
"""

import pytest

from sipconform.flows.uas import CancelControl, await_final, cancel, ring
from sipconform.verdict import precondition
from sipconform.verify.cancel import cancel_answered_200

pytestmark = [pytest.mark.clause("RFC3261-17.2.3-3"), pytest.mark.role("uas")]


def _rfc2543_via(branch_style):
    def edit(invite):
        top = invite.top_via
        rest = "".join(f";{k}" + (f"={v}" if v is not None else "") for k, v in top.params if k.lower() != "branch")
        branch = "" if branch_style == "no-branch" else f";branch=2543-{top.branch[len('z9hG4bK'):]}"
        return invite.set_header("Via", f"{top.sent_protocol} {top.sent_by}{branch}{rest}")
    return edit


@pytest.mark.parametrize("branch_style", ["no-branch", "branch-without-cookie"])
def test_rfc2543_cancel_cancels_the_invite(sip_peer, dut, sip_timers, branch_style):
    """Stimulus: an INVITE whose Via has no RFC 3261 branch; the DUT rings; the CANCEL with the same
    Request-URI, From tag, Call-ID, CSeq number and top Via. Expectation: 200 to the CANCEL, and
    a non-2xx final response ends the INVITE (refused while a plain CANCEL is refused too: inconclusive)."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut, edit=_rfc2543_via(branch_style))
    response = sip_peer.expect_response(cancel(call), final=True)
    if response.status != 200:
        with precondition("a plain CANCEL gets 200 (RFC3261-9.2-10), so the refusal is the variant's doing"):
            assert not (refused := cancel_answered_200(CancelControl(sip_peer, dut).plain_answer())), refused[0]
    assert response.status == 200, f"the RFC 2543-style CANCEL was answered {response.start_line!r}, not 200"
    with precondition("the cancelled INVITE ends at once (RFC3261-9.2-8)"):
        final = await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
    assert final.status >= 300, f"the RFC 2543-style INVITE was answered {final.start_line!r} after its CANCEL"
