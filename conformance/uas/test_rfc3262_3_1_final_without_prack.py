"""RFC 3262 §3 ¶18 (RFC3262-3-1): "The UAS MAY send a final response to the initial request before having
received PRACKs for all unacknowledged reliable provisional responses, unless the final response is 2xx and
any of the unacknowledged reliable provisional responses contained a session description."

Here: a CANCEL of an INVITE whose reliable 180 is unacknowledged; the 487 that follows is a non-2xx, which
the UAS may send at once, so it must not hold the INVITE pending for the PRACK (that would leave the
cancelled INVITE without its final response, RFC3261-28.1-2). Needs ``capabilities.reliable_provisional``.

Stimulus: INVITE with Require: 100rel; the DUT sends a reliable 180 (RSeq); no PRACK; CANCEL.
Expectation: the CANCEL is answered and the INVITE gets its final response within 64*T1, PRACK or not.
"""

import pytest

from sipconform.flows.reliable import ring_reliably
from sipconform.flows.uas import await_final, cancelled, is_final_to, refuses, ring
from sipconform.peer import NoMessage
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3262-3-1"), pytest.mark.role("uas"), pytest.mark.requires("reliable_provisional")]


def test_cancelled_invite_ends_without_waiting_for_prack(sip_peer, dut, sip_timers):
    """Stimulus: reliable 180 left unPRACKed, then CANCEL. Expectation: a final response to the INVITE within
    the caller's Timer B. A CANCEL refused (not 200) while the INVITE goes on: inconclusive (RFC3261-9.2-10);
    no final response at once, and none either to a control call without 100rel cancelled then: inconclusive
    (RFC3261-9.2-8: the DUT holds every cancelled INVITE, PRACK or not)."""
    with precondition("the DUT rings with a reliable 18x (RFC 3262 §3)"):
        call, provisional = ring_reliably(sip_peer, dut)
    with precondition("the DUT answers the CANCEL 200 (RFC3261-9.2-10), or ends the INVITE all the same"):
        cancelled(call)
        if refuses(call.cancel_response):
            await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
    if call.final is None and not sip_peer.wait_until(lambda: bool(sip_peer.arrivals(is_final_to(call.invite))),
                                                      within=sip_timers.tolerance(sip_timers.immediately)):
        with precondition("a cancelled INVITE without 100rel ends at once (RFC3261-9.2-8), so the wait is the "
                          "PRACK's doing"):
            control = ring(sip_peer, dut)
            cancelled(control)
            await_final(control, within=sip_timers.tolerance(sip_timers.immediately))
    try:
        final = await_final(call)
    except NoMessage:
        pytest.fail(f"the cancelled INVITE got no final response within {sip_timers.b:.3g} s: it was held "
                    f"pending the PRACK of its reliable {provisional.start_line!r}, which a non-2xx final "
                    "need not wait for")
    assert final.status >= 300, f"the cancelled INVITE was answered {final.start_line!r}"
