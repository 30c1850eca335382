"""RFC 3261 §15.1.2 ¶4 (RFC3261-15.1.2-1, MUST / RECOMMENDED): "The UAS MUST still respond to any pending
requests received for that dialog. It is RECOMMENDED that a 487 (Request Terminated) response be
generated to those pending requests."

Here: the caller ends the early dialog with BYE instead of CANCEL (§15: "The caller's UA MAY send a BYE
for either confirmed or early dialogs").
"""

import pytest

from sipconform.flows.uas import await_final, ring
from sipconform.sip.build import in_dialog_request
from sipconform.verdict import precondition, warn

pytestmark = [pytest.mark.clause("RFC3261-15.1.2-1"), pytest.mark.role("uas")]


def test_bye_on_early_dialog_ends_the_pending_invite(sip_peer, dut):
    """Stimulus: INVITE; the DUT rings with a tagged 18x; BYE in that early dialog.
    Expectation: the pending INVITE still gets a final response (487 recommended)."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut, until=lambda r: r.status > 100 and r.to.tag is not None)
    early = next(r for r in call.responses if r.to.tag)
    bye = in_dialog_request("BYE", call.invite, early, cseq_number=call.invite.cseq.number + 1,
                            via=f"{call.invite.top_via.sent_protocol} {sip_peer.sent_by};"
                                f"branch={sip_peer.new_branch()}")
    sip_peer.send(bye, sip_peer.source_of(early))
    final = await_final(call)
    assert final.status >= 300, f"the INVITE was answered {final.start_line!r} after a BYE on its early dialog"
    if final.status != 487:
        warn(f"the pending INVITE was ended with {final.start_line!r}; 487 is RECOMMENDED")
