"""RFC 6141 §3.8 ¶1 (RFC6141-3.8-1, SHOULD: it applies §3.3's SHOULD to CANCEL): "Per the rules specified in
Section 3.3, if the INVITE request was a
re-INVITE and some of its requested changes had already been executed, the UAS would return a 2xx response
instead." (instead of the 487 that §9.2 of RFC 3261 gives a cancelled INVITE)

Here: the change is an SDP offer whose answer the DUT sent in a reliable 18x (RFC 3262), PRACKed: the
offer/answer is complete, the change executed. Needs ``capabilities.reliable_provisional`` and an
``answer`` target.

Stimulus: INVITE with an offer to the ``answer`` target, 200, ACK; re-INVITE with a new offer (Require:
100rel); the DUT's reliable 18x with the answer; PRACK; CANCEL of the re-INVITE; BYE.
Expectation: 200 to the CANCEL, and a 2xx (not 487) to the re-INVITE.
"""

import pytest

from sipconform.flows.reinvite import cancel_executed_reinvite
from sipconform.verdict import precondition, warn

pytestmark = [pytest.mark.clause("RFC6141-3.8-1"), pytest.mark.role("uas"),
              pytest.mark.requires("reliable_provisional"), pytest.mark.requires(target="answer")]


def test_cancelled_reinvite_with_executed_change_gets_2xx(sip_peer, dut):
    """Stimulus: re-INVITE answered in a PRACKed reliable 18x, then CANCELled.
    Expectation: 200 (CANCEL), then a 2xx to the re-INVITE instead of 487."""
    with precondition("in a confirmed dialog, the DUT answers a re-INVITE's offer in a reliable 18x, accepts its "
                      "PRACK, the re-INVITE still pending (RFC 6141 §3.3), and its CANCEL 200 (see RFC3261-9.2-10)"):
        done = cancel_executed_reinvite(sip_peer, dut)
        assert done.cancel_response.status == 200, f"the CANCEL got {done.cancel_response.start_line!r}"
    if done.final.status >= 300:
        warn(f"the cancelled re-INVITE whose change was already executed (its SDP answer in the PRACKed reliable "
             f"{done.answer.start_line!r}) was answered {done.final.start_line!r} instead of a 2xx")
