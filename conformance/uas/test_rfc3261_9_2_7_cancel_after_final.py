"""RFC 3261 §9.2 ¶4 (RFC3261-9.2-7, MUST NOT): "If it has [already sent a final response], the CANCEL
request has no effect on the processing of the original request, no effect on any session state, and no
effect on the responses generated for the original request."
"""

import pytest

from sipconform.flows.uas import CancelControl, ack_2xx, answered, end, is_final_to
from sipconform.sip import cancel_for
from sipconform.verdict import precondition
from sipconform.verify.cancel import cancel_answered_200

pytestmark = [pytest.mark.clause("RFC3261-9.2-7"), pytest.mark.role("uas")]


@pytest.mark.parametrize("behaviour",
                         [pytest.param(b, marks=pytest.mark.requires(target=b)) for b in ("answer", "busy")],
                         ids=["after-2xx", "after-non-2xx"])
def test_cancel_after_final_changes_no_response(sip_peer, dut, sip_timers, behaviour):
    """Stimulus: INVITE answered at once with a final response (200, or a non-2xx the peer ACKs); then the
    CANCEL of that INVITE (for the 200: before the ACK). Expectation: the CANCEL is answered 200 or 481
    and the INVITE gets no other final response (no 487) within 4*T1. Another answer while a plain CANCEL of a
    ringing call is refused too: inconclusive."""
    with precondition("the DUT answers an INVITE at once"):
        call = answered(sip_peer, dut, behaviour=behaviour)
    first = call.final
    request = cancel_for(call.invite)
    sip_peer.send(request)
    response = sip_peer.expect_response(request, final=True)
    # A 487 sent along with the CANCEL's response arrives before any wait started here: look at everything
    # received for the INVITE, not only at what comes later.
    other = lambda: sip_peer.arrivals(lambda m: is_final_to(call.invite)(m) and m.status != first.status)  # noqa: E731
    sip_peer.wait_until(lambda: bool(other()), within=sip_timers.immediately)
    if behaviour == "answer":
        ack_2xx(call)
        end(call)
    assert not other(), (f"the INVITE answered {first.start_line!r} got {other()[0].first_line!r} as well after "
                         f"the CANCEL")
    if response.status not in (200, 481):
        with precondition("a plain CANCEL gets 200 (RFC3261-9.2-10), so the refusal is the variant's doing"):
            assert not (refused := cancel_answered_200(CancelControl(sip_peer, dut).plain_answer())), refused[0]
    assert response.status in (200, 481), f"the CANCEL of an answered INVITE got {response.start_line!r}"
