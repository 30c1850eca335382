"""RFC 3261 §18.2.2 ¶4 (RFC3261-18.2.2-2, MUST): "Otherwise (for unreliable unicast transports), if the top
Via has a "received" parameter, the response MUST be sent to the address in the "received" parameter,
using the port indicated in the "sent-by" value, or using port 5060 if none is specified explicitly."

Here: the sent-by port is another socket of the tester than the one the INVITE and CANCEL come from,
and there is no ``rport``: the responses, the 200 (CANCEL) among them, go to the sent-by port.
"""

import pytest

from sipconform.flows.uas import landing, refuses, target_uri
from sipconform.flows.variants import with_sent_by
from sipconform.sip import ack_for_non2xx, cancel_for
from sipconform.verdict import precondition
from sipconform.verify.landing import at_sent_by_port

pytestmark = [pytest.mark.clause("RFC3261-18.2.2-2"), pytest.mark.role("uas"), pytest.mark.transport("udp")]


def lands_at_sent_by(sender, sent_by_peer, request, within):
    """The first response to ``request`` at either socket (none: inconclusive), judged: it reached the socket
    of the sent-by port."""
    with precondition(f"the DUT answers the {request.method}"):
        peer, response = landing([sent_by_peer, sender], request, within)
    problems = at_sent_by_port(response, peer.address[1], source=sender.address[1], sent_by=sent_by_peer.address[1],
                               method=request.method)
    assert not problems, problems[0]
    return response


def test_responses_go_to_the_sent_by_port(sip_peer, sip_peer_factory, dut, sip_timers):
    """Stimulus: from socket A, INVITE whose Via sent-by is A's address with socket B's port, no rport;
    then its CANCEL from A. Expectation: the INVITE's responses and the 200 (CANCEL) reach B. (A refused
    CANCEL leaves the INVITE ringing: its answer is judged, no final response awaited.)"""
    with sip_peer_factory(name="sent-by") as sent_by_peer:
        invite = with_sent_by(sip_peer.invite((dut.host, dut.port), uri=target_uri(dut, "udp")),
                              port=sent_by_peer.address[1])
        sip_peer.send(invite, retransmit=False)
        lands_at_sent_by(sip_peer, sent_by_peer, invite, sip_timers.b)
        request = cancel_for(invite)
        sip_peer.send(request, retransmit=False)
        if not refuses(lands_at_sent_by(sip_peer, sent_by_peer, request, sip_timers.f)):
            with precondition("the cancelled INVITE ends at once (RFC3261-9.2-8)"):
                final = sent_by_peer.expect_response(invite, final=True,
                                                     within=sip_timers.tolerance(sip_timers.immediately))
            sip_peer.send(ack_for_non2xx(invite, final))
