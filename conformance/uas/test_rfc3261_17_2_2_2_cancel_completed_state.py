"""RFC 3261 §17.2.2 (RFC3261-17.2.2-2, MUST): "When the server transaction enters the "Completed" state,
it MUST set Timer J to fire in 64*T1 seconds for unreliable transports ... While in the "Completed" state,
the server transaction MUST pass the final response to the transport layer for retransmission whenever a
retransmission of the request is received."

Here: the CANCEL's own non-INVITE server transaction, over UDP.
"""

import pytest

from sipconform.flows.uas import cancel, ring
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-17.2.2-2"), pytest.mark.role("uas"), pytest.mark.transport("udp")]


def test_each_cancel_retransmission_gets_the_final_response(sip_peer, dut, sip_timers):
    """Stimulus: INVITE; the DUT rings; CANCEL, answered; the identical CANCEL twice more, 4*T1 apart
    (well inside Timer J = 64*T1). Expectation: each copy is answered with the same final response."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    request = cancel(call)
    first = sip_peer.expect_response(request, final=True)
    matches = lambda m: (getattr(m, "status", 0) == first.status and m.cseq.method == "CANCEL"  # noqa: E731
                         and m.top_via.branch == request.top_via.branch)
    for copy in (2, 3):
        sip_peer.reactor.run_for(sip_timers.immediately)
        sip_peer.send(bytes(request), sip_peer.source_of(first))
        sip_peer.wait_until(lambda: len(sip_peer.arrivals(matches)) >= copy, within=sip_timers.immediately)
        assert len(sip_peer.arrivals(matches)) >= copy, (
            f"copy {copy} of the CANCEL (in Completed, before Timer J) got no {first.status}")
