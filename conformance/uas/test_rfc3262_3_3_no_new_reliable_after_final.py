"""RFC 3262 §3 ¶18 (RFC3262-3-3): "A UAS MUST NOT send new reliable provisional responses (as opposed to
retransmissions of unacknowledged ones) after sending a final response to a request."

Needs ``capabilities.reliable_provisional``.

Stimulus: INVITE with Require: 100rel; the DUT sends a reliable 180; no PRACK; CANCEL; the 487.
Expectation: within 8*T1 after the 487, no reliable 18x with an RSeq not seen before it.
"""

import pytest

from sipconform.flows.reliable import reliable_18x_after_final, ring_reliably, rseq_of
from sipconform.flows.uas import await_final, cancelled
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3262-3-3"), pytest.mark.role("uas"), pytest.mark.requires("reliable_provisional")]


def test_no_new_reliable_provisional_after_final(sip_peer, dut, sip_timers):
    """Expectation: no new RSeq after the final response (retransmissions of old ones are RFC3262-3-2)."""
    with precondition("the DUT rings with a reliable 18x (RFC 3262 §3)"):
        call, _ = ring_reliably(sip_peer, dut)
    with precondition("the DUT answers the CANCEL and ends the INVITE at once (RFC3261-9.2-10, RFC3261-9.2-8)"):
        cancelled(call, within=sip_timers.tolerance(sip_timers.immediately))
        final = await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
    before = {rseq_of(r) for r in call.provisionals} - {None}
    new = [r for r in reliable_18x_after_final(call, sip_timers.quiet) if rseq_of(r) not in before]
    assert not new, (f"after its final {final.start_line!r} the DUT sent a new reliable provisional "
                     f"{new[0].start_line!r} with RSeq {rseq_of(new[0])} (before it: RSeq {sorted(before)})")
