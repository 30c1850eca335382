"""RFC 3261 §17.2.3 (RFC3261-17.2.3-3, MUST, RFC 2543 compatibility): "The INVITE request matches a
transaction if the Request-URI, To tag, From tag, Call-ID, CSeq, and top Via header field match those
of the INVITE request which created the transaction." — used when the top Via has no branch with the
magic cookie ``z9hG4bK``; §9.2 applies it to CANCEL.
"""

import pytest

from sipconform.scenario.uas import assert_cancel_accepted, cancel, final_response, ring

pytestmark = [pytest.mark.clause("RFC3261-17.2.3-3"), pytest.mark.role("uas")]


def _rfc2543_via(branch_style):
    def edit(invite):
        top = invite.top_via
        rest = "".join(f";{k}" + (f"={v}" if v is not None else "") for k, v in top.params if k.lower() != "branch")
        branch = "" if branch_style == "no-branch" else f";branch=2543-{top.branch[len('z9hG4bK'):]}"
        return invite.set_header("Via", f"{top.sent_protocol} {top.sent_by}{branch}{rest}")
    return edit


@pytest.mark.parametrize("branch_style", ["no-branch", "branch-without-cookie"])
def test_rfc2543_cancel_cancels_the_invite(sip_peer, dut, branch_style):
    """Stimulus: an INVITE whose Via has no RFC 3261 branch; the DUT rings; the CANCEL with the same
    Request-URI, From tag, Call-ID, CSeq number and top Via. Expectation: 200 to the CANCEL, and
    a non-2xx final response ends the INVITE (refused while a plain CANCEL is refused too: inconclusive)."""
    call = ring(sip_peer, dut, edit=_rfc2543_via(branch_style))
    response = sip_peer.expect_response(cancel(call), final=True)
    assert_cancel_accepted(sip_peer, dut, response, "RFC 2543 matching",
                           f"the RFC 2543-style CANCEL was answered {response.start_line!r}, not 200")
    final = final_response(call)
    assert final.status >= 300, f"the RFC 2543-style INVITE was answered {final.start_line!r} after its CANCEL"
