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

from sipconform.peer import NoMessage
from sipconform.scenario.reliable import ring_reliably
from sipconform.scenario.uas import cancelled, final_response

pytestmark = [pytest.mark.clause("RFC3262-3-1"), pytest.mark.role("uas"), pytest.mark.requires("reliable_provisional")]


def test_cancelled_invite_ends_without_waiting_for_prack(sip_peer, dut, sip_timers):
    """Stimulus: reliable 180 left unPRACKed, then CANCEL. Expectation: a final response to the INVITE."""
    call, provisional = ring_reliably(sip_peer, dut)
    cancelled(call)
    try:
        final = final_response(call)
    except NoMessage:
        pytest.fail(f"the cancelled INVITE got no final response within {sip_timers.b:.3g} s: it was held "
                    f"pending the PRACK of its reliable {provisional.start_line!r}, which a non-2xx final "
                    "need not wait for")
    assert final.status >= 300, f"the cancelled INVITE was answered {final.start_line!r}"
