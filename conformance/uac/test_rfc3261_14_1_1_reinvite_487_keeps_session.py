"""RFC 3261 §14.1 ¶10 (RFC3261-14.1-1, MUST): "If a UA receives a non-2xx final response to a re-INVITE, the
session parameters MUST remain unchanged, as if no re-INVITE had been issued."

Here: a re-INVITE the DUT cancels, answered 487. The call goes on as before: the DUT neither ends it (no BYE,
as a 481 or 408 would call for) nor tries another re-INVITE by itself; when the user hangs up, the BYE
belongs to the unchanged dialog. Session parameters inside the SDP are not observable without media.
Needs an upper tester that can make the DUT re-INVITE and cancel (inconclusive otherwise).
"""

import pytest

from sipconform.flows.uac import answer_bye, cancel_reinvite, establish, hang_up
from sipconform.peer import UnexpectedMessage
from sipconform.sip import Request
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-14.1-1"), pytest.mark.role("uac")]


def test_call_goes_on_after_a_487_to_its_reinvite(sip_peer, upper_tester, sip_timers):
    """Stimulus: the DUT calls; the peer answers 200; the DUT ACKs; the upper tester makes the DUT re-INVITE;
    the peer rings (180); the upper tester cancels; the peer answers the CANCEL 200 and the re-INVITE 487;
    a quiet window later (10*T1, at least 1 s) the upper tester hangs up. Expectation: no BYE or INVITE in
    that window; then a BYE with the call's Call-ID, From tag and To tag."""
    with precondition("the DUT calls and ACKs the 2xx (RFC3261-13.2.2.4-1)"):
        call, ok = establish(sip_peer, upper_tester)
    with precondition("the DUT re-INVITEs and cancels the re-INVITE when the upper tester makes it (§14.1, §9.1), "
                      "and ACKs its 487 (RFC3261-17.1.1.2-1)"):
        cancel_reinvite(call)

    def acting(m):
        return isinstance(m, Request) and m.method in ("BYE", "INVITE") and m.call_id == call.invite.call_id
    try:
        sip_peer.expect_nothing(sip_timers.quiet, where=acting)
    except UnexpectedMessage as exc:
        answer_bye(call, within=0)
        pytest.fail(f"after the 487 to its re-INVITE the DUT did not keep the call as it was: {exc}", pytrace=False)
    hang_up(call)
    bye = answer_bye(call, within=sip_timers.b)
    assert bye is not None, (f"no BYE within {sip_timers.b:.3g} s of the hang-up: after the 487 to its re-INVITE "
                             "the DUT no longer had the call")
    dialog = (bye.from_.tag, bye.to.tag)
    assert dialog == (call.invite.from_.tag, ok.to.tag), (
        f"the BYE's tags (From {dialog[0]!r}, To {dialog[1]!r}) are not the dialog's "
        f"(From {call.invite.from_.tag!r}, To {ok.to.tag!r})")
