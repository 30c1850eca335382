"""RFC 3261 §15 ¶1 (RFC3261-15-2, MUST NOT): "The caller's UA MAY send a BYE for either confirmed or early
dialogs, and the callee's UA MAY send a BYE on confirmed dialogs, but MUST NOT send a BYE on early
dialogs."

Stimulus: INVITE to the ringing target; once the DUT rings (a non-100 provisional: with a To tag it
opens the early dialog), the upper tester makes the DUT reject the call (the callee hangs up before
answering).
Expectation: a non-2xx final response (486, 603, ...) to the INVITE, and no BYE (nor CANCEL: CANCEL is
for requests one sent, §9.1) for the call, before the final response or in the 4*T1 after it.
A DUT that never rings, has no upper tester able to reject, or sends nothing after the reject is
inconclusive; so is one whose 18x had no To tag (no early dialog), once it sent no BYE nor CANCEL.
"""

import pytest

from sipconform.flows.rejection import await_rejection
from sipconform.flows.uas import ring
from sipconform.flows.upper_tester import act
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3261-15-2"), pytest.mark.role("uas")]


def test_callee_rejects_a_ringing_call_without_bye(sip_peer, dut, sip_timers, upper_tester):
    """Stimulus: INVITE; the DUT rings; the upper tester rejects the call; the peer watches for the final
    response or a BYE/CANCEL (answering them), then 4*T1 more (``Timers.immediately``).
    Expectation: a non-2xx final response, and never a BYE or CANCEL for the early dialog."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    with precondition("the upper tester makes the DUT reject the call (the profile's [upper_tester] reject)"):
        act(upper_tester.reject, "reject the call ringing in")
    rejection = await_rejection(call, within=upper_tester.reaction, linger=sip_timers.immediately)
    ringing = rejection.call.provisionals[-1].start_line
    dialog = "early dialog" if rejection.early else f"call (its {ringing!r} had no To tag: no early dialog)"
    for request in rejection.hang_ups:
        assert request.method != "BYE", (
            f"the DUT sent {request.start_line!r} in the {dialog} it was told to reject: the callee MUST NOT "
            "send a BYE on an early dialog, it ends one with a non-2xx final response")
        assert request.method != "CANCEL", (
            f"the DUT sent {request.start_line!r} for the {dialog} it was told to reject: CANCEL is for requests "
            "one sent; the callee ends an early dialog with a non-2xx final response")
    final = rejection.final
    if final is None:
        inconclusive(f"the DUT sent no final response to the INVITE within {rejection.window:.3g} s after the "
                     "upper tester rejected the call, so the call never ended")
    if final.status < 300:
        inconclusive(f"the DUT answered {final.start_line!r} when the upper tester rejected the call: the dialog "
                     "was confirmed, never ended while early")
    if not rejection.early:
        inconclusive(f"the DUT's {ringing!r} had no To tag, so there was no early dialog; it rejected the call "
                     f"with {final.start_line!r} and sent no BYE nor CANCEL")
