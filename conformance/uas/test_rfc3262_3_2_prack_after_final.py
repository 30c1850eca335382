"""RFC 3262 §3 ¶18 (RFC3262-3-2): "If the UAS does send a final response when reliable responses are still
unacknowledged, it SHOULD NOT continue to retransmit the unacknowledged reliable provisional responses, but
it MUST be prepared to process PRACK requests for those outstanding responses."

Needs ``capabilities.reliable_provisional``. Over UDP and TCP alike (RFC 3262 retransmits reliable
provisionals end to end, whatever the transport).

Stimulus: INVITE with Require: 100rel; the DUT sends a reliable 180; no PRACK; CANCEL; the 487.
Expectation: no retransmission of that 180 within 8*T1 of the 487 (SHOULD NOT); a PRACK of it sent then
gets a final response, a 2xx (MUST be prepared to process it).
"""

import pytest

from sipconform.flows.reliable import prack, reliable_18x_after_final, ring_reliably, rseq_of
from sipconform.flows.uas import await_final, cancelled
from sipconform.peer import NoMessage
from sipconform.verdict import inconclusive, precondition, warn

pytestmark = [pytest.mark.clause("RFC3262-3-2"), pytest.mark.role("uas"), pytest.mark.requires("reliable_provisional")]


def _cancelled_with_unacked_180(sip_peer, dut, sip_timers):
    """Stimulus: INVITE with Require: 100rel; the DUT rings with a reliable 180, left unPRACKed; CANCEL; the
    INVITE's final response. Preconditions: the 180 is reliable, the cancelled INVITE ends at once, non-2xx."""
    with precondition("the DUT rings with a reliable 18x (RFC 3262 §3)"):
        call, provisional = ring_reliably(sip_peer, dut)
    with precondition("the DUT answers the CANCEL and ends the INVITE at once (RFC3261-9.2-10, RFC3261-9.2-8)"):
        cancelled(call, within=sip_timers.tolerance(sip_timers.immediately))
        final = await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
    if final.status < 300:
        inconclusive("the DUT answered the INVITE 2xx though it was cancelled: no 487 to look past")
    return call, provisional


def test_unacked_180_not_retransmitted_after_final(sip_peer, dut, sip_timers):
    """Expectation: the unPRACKed reliable 180 is not retransmitted after the final response."""
    call, provisional = _cancelled_with_unacked_180(sip_peer, dut, sip_timers)
    window = sip_timers.quiet
    again = [r for r in reliable_18x_after_final(call, window) if rseq_of(r) == rseq_of(provisional)]
    if again:
        warn(f"the unacknowledged reliable {provisional.start_line!r} (RSeq {rseq_of(provisional)}) was "
             f"retransmitted {len(again)} time(s) within {window:.3g} s after the final response")


def test_prack_after_final_is_processed(sip_peer, dut, sip_timers):
    """Expectation: a PRACK of the outstanding reliable 180, sent after the final response, gets a 2xx."""
    call, provisional = _cancelled_with_unacked_180(sip_peer, dut, sip_timers)
    request = prack(call, provisional)
    try:
        response = sip_peer.expect_response(request, final=True)
    except NoMessage:
        pytest.fail(f"the PRACK of the outstanding reliable 180 (RSeq {rseq_of(provisional)}), sent after the "
                    "final response, got no final response: the DUT was not prepared to process it")
    if response.status >= 300:
        warn(f"the PRACK of the outstanding reliable 180, sent after the final response, got "
             f"{response.start_line!r}, not a 2xx")
