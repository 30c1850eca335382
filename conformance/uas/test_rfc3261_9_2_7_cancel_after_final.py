"""RFC 3261 §9.2 ¶4 (RFC3261-9.2-7, MUST NOT): "If it has [already sent a final response], the CANCEL
request has no effect on the processing of the original request, no effect on any session state, and no
effect on the responses generated for the original request."
"""

import pytest

from sipconform.scenario.uas import ack_2xx, answered, assert_cancel_accepted, hang_up, is_final_to
from sipconform.sip import cancel_for

pytestmark = [pytest.mark.clause("RFC3261-9.2-7"), pytest.mark.role("uas")]


@pytest.mark.parametrize("behaviour", [pytest.param(b, marks=pytest.mark.requires(target=b)) for b in ("answer", "busy")],
                         ids=["after-2xx", "after-non-2xx"])
def test_cancel_after_final_changes_no_response(sip_peer, dut, sip_timers, behaviour):
    """Stimulus: INVITE answered at once with a final response (200, or a non-2xx the peer ACKs); then the
    CANCEL of that INVITE (for the 200: before the ACK). Expectation: the CANCEL is answered 200 or 481
    and the INVITE gets no other final response (no 487) within 4*T1. Another answer while a plain CANCEL of a
    ringing call is refused too: inconclusive."""
    call = answered(sip_peer, dut, behaviour=behaviour)
    first = call.final
    request = cancel_for(call.invite)
    sip_peer.send(request)
    response = sip_peer.expect_response(request, final=True)
    # A 487 sent along with the CANCEL's response arrives before any wait started here: look at everything
    # received for the INVITE, not only at what comes later.
    other = lambda: sip_peer.arrivals(lambda m: is_final_to(call.invite)(m) and m.status != first.status)  # noqa: E731
    sip_peer.wait_until(lambda: bool(other()), within=4 * sip_timers.t1)
    if behaviour == "answer":
        ack_2xx(call)
        hang_up(call)
    assert not other(), (f"the INVITE answered {first.start_line!r} got {other()[0].first_line!r} as well after "
                         f"the CANCEL")
    assert_cancel_accepted(sip_peer, dut, response, "a CANCEL after the final response",
                           f"the CANCEL of an answered INVITE got {response.start_line!r}", (200, 481))
