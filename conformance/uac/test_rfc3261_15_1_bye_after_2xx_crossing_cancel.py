"""RFC 3261 §15 ¶3 (RFC3261-15-1, MAY): "The UAC MAY continue with the sessions established by any 2xx
responses, or MAY terminate them with BYE."

Here: the user hung up, yet a 2xx crossed the CANCEL (RFC 5407 §3.1.2: "the UAC ... sends an ACK and
then a BYE"). A DUT that keeps a call its user abandoned is reported as a warning, not a fail.
"""

import pytest

from sipconform.flows.uac import answer, answer_bye, await_ack, ring_and_cancel
from sipconform.verdict import precondition, warn

pytestmark = [pytest.mark.clause("RFC3261-15-1"), pytest.mark.role("uac")]


def test_2xx_crossing_the_cancel_is_ended_with_bye(sip_peer, upper_tester, sip_timers):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; on its CANCEL the peer answers the INVITE
    200, then the CANCEL 200. Expectation: after the ACK, a BYE in that dialog within 16*T1."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    ok = answer(call, 200)
    sip_peer.respond(cancel, 200)
    with precondition("the DUT ACKs the 2xx that crossed its CANCEL (RFC3261-13.2.2.4-1)"):
        await_ack(call)
    window = sip_timers.dialog_teardown
    bye = answer_bye(call, within=window)
    if bye is None:
        warn(f"no BYE within {window:.3g} s (16*T1) for the call its user had hung up")
    assert bye.to.tag == ok.to.tag, f"the BYE's To tag {bye.to.tag!r} is not the 2xx's {ok.to.tag!r}"
