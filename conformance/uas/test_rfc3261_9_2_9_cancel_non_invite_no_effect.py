"""RFC 3261 §9.2 ¶4 (RFC3261-9.2-9): "A CANCEL request has no impact on the processing of transactions
with any other method defined in this specification."

Here: a CANCEL for an OPTIONS the DUT has answered.
"""

import pytest

from sipconform.flows.uas import answers_to, target_uri
from sipconform.sip import cancel_for

pytestmark = [pytest.mark.clause("RFC3261-9.2-9"), pytest.mark.role("uas")]


def test_cancel_of_an_options_changes_nothing(sip_peer, dut, sip_timers):
    """Stimulus: OPTIONS to the DUT, answered; then a CANCEL built for it (same branch, sent-by,
    Call-ID, tags, CSeq number). Expectation: the CANCEL gets a final response (200 or 481); the OPTIONS
    gets no other response than its first final one (no 487) during 4*T1 more."""
    options = sip_peer.request("OPTIONS", (dut.host, dut.port), uri=target_uri(dut, sip_peer.transport))
    sip_peer.send(options)
    first = sip_peer.expect_response(options, final=True)
    request = cancel_for(options)
    sip_peer.send(request, sip_peer.source_of(first))
    response = sip_peer.expect_response(request, final=True)
    other = lambda: [r.message for r in sip_peer.arrivals(answers_to(options))  # noqa: E731
                     if r.message.is_final and r.message.status != first.status]
    sip_peer.wait_until(lambda: bool(other()), within=sip_timers.immediately)
    assert not other(), (f"the CANCEL (answered {response.start_line!r}) changed the answered OPTIONS: it then got "
                         f"{other()[0].start_line!r} after {first.start_line!r}")
