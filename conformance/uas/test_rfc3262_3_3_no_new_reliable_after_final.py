"""RFC 3262 §3 ¶18 (RFC3262-3-3): "A UAS MUST NOT send new reliable provisional responses (as opposed to
retransmissions of unacknowledged ones) after sending a final response to a request."

Needs ``capabilities.reliable_provisional``.

Stimulus: INVITE with Require: 100rel; the DUT sends a reliable 180; no PRACK; CANCEL; the 487.
Expectation: within 8*T1 after the 487, no reliable 18x with an RSeq not seen before it.
"""

import pytest

from sipconform.scenario.reliable import reliable_18x_after_final, ring_reliably, rseq_of
from sipconform.scenario.uas import cancelled, final_response

pytestmark = [pytest.mark.clause("RFC3262-3-3"), pytest.mark.role("uas"), pytest.mark.requires("reliable_provisional")]


def test_no_new_reliable_provisional_after_final(sip_peer, dut, sip_timers):
    """Expectation: no new RSeq after the final response (retransmissions of old ones are RFC3262-3-2)."""
    call, _ = ring_reliably(sip_peer, dut)
    cancelled(call)
    final = final_response(call)
    before = {rseq_of(r) for r in call.provisionals} - {None}
    new = [r for r in reliable_18x_after_final(call, 8 * sip_timers.t1) if rseq_of(r) not in before]
    assert not new, (f"after its final {final.start_line!r} the DUT sent a new reliable provisional "
                     f"{new[0].start_line!r} with RSeq {rseq_of(new[0])} (before it: RSeq {sorted(before)})")
