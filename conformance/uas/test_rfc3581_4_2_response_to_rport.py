"""RFC 3581 §4 ¶3 (RFC3581-4-2, MUST): "If the "sent-protocol" component indicates an unreliable unicast
transport protocol, such as UDP, and there is no "maddr" parameter, but there is both a "received"
parameter and an "rport" parameter, the response MUST be sent to the IP address listed in the "received"
parameter, and the port in the "rport" parameter. The response MUST be sent from the same address and
port that the corresponding request was received on."

Here: the sent-by port names another socket of the tester (as behind a NAT), the Via has ``rport``.
"""

import pytest

from sipconform.flows.uas import landing, refuses, target_uri
from sipconform.flows.variants import with_sent_by
from sipconform.sip import cancel_for
from sipconform.verdict import precondition
from sipconform.verify.landing import at_source_port

pytestmark = [pytest.mark.clause("RFC3581-4-2"), pytest.mark.role("uas"), pytest.mark.transport("udp")]


def lands_at_source(sender, sent_by_peer, request, dut, within):
    """The first response to ``request`` at either socket (none: inconclusive), judged: it reached the socket it
    left from, coming from the DUT's address where the request was received."""
    with precondition(f"the DUT answers the {request.method}"):
        peer, response = landing([sender, sent_by_peer], request, within)
    problems = at_source_port(response, peer.address[1], source=sender.address[1], sent_by=sent_by_peer.address[1],
                              method=request.method, came_from=peer.source_of(response),
                              received_at=(dut.host, dut.port))
    assert not problems, problems[0]
    return response


def test_responses_go_to_the_source_port(sip_peer, sip_peer_factory, dut, sip_timers):
    """Stimulus: from socket A, INVITE whose Via has ``;rport`` and a sent-by port of socket B; then its
    CANCEL from A. Expectation: the INVITE's responses and the 200 (CANCEL) reach A, from the DUT's port.
    (A refused CANCEL leaves the INVITE ringing: its answer is judged, no final response awaited.)"""
    with sip_peer_factory(name="sent-by") as sent_by_peer:
        invite = with_sent_by(sip_peer.invite((dut.host, dut.port), uri=target_uri(dut, "udp")),
                              port=sent_by_peer.address[1], rport=True)
        sip_peer.send(invite, retransmit=False)
        lands_at_source(sip_peer, sent_by_peer, invite, dut, sip_timers.b)
        request = cancel_for(invite)
        sip_peer.send(request, retransmit=False)
        if not refuses(lands_at_source(sip_peer, sent_by_peer, request, dut, sip_timers.f)):
            with precondition("the cancelled INVITE ends at once (RFC3261-9.2-8)"):  # its transaction ACKs it
                sip_peer.expect_response(invite, final=True, within=sip_timers.tolerance(sip_timers.immediately))
