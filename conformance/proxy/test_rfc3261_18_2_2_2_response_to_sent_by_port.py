"""RFC 3261 §18.2.2 ¶4 (RFC3261-18.2.2-2, MUST): "Otherwise (for unreliable unicast transports), if the top
Via has a "received" parameter, the response MUST be sent to the address in the "received" parameter,
using the port indicated in the "sent-by" value, or using port 5060 if none is specified explicitly."

Here: the proxy's responses upstream. The UAC's sent-by port is another socket of the tester than the one its
INVITE and CANCEL come from, and there is no ``rport``: the INVITE's responses (the DUT's own and those it
relays) and the 200 (CANCEL) go to the sent-by port.
"""

import pytest

from sipconform.flows.proxy import (await_cancel, cancel_upstream, downstream, end_branch, place_call, provisional,
                                    reach_branches, responses_seen)
from sipconform.flows.uas import landing
from sipconform.flows.variants import with_sent_by
from sipconform.sip import ack_for_non2xx
from sipconform.verdict import inconclusive, precondition
from sipconform.verify.landing import at_sent_by_port

pytestmark = [pytest.mark.clause("RFC3261-18.2.2-2"), pytest.mark.role("proxy"), pytest.mark.transport("udp")]


def test_responses_go_to_the_sent_by_port(sip_peer, sip_peer_factory, dut, sip_timers):
    """Stimulus: from socket A, INVITE through the DUT whose Via sent-by is A's address with socket B's port, no
    rport; the branch rings; the CANCEL from A; the branch answers 200 and 487.
    Expectation: the first response to the INVITE, the 200 (CANCEL) and the 487 reach B."""
    with sip_peer_factory(name="sent-by") as sent_by_peer:
        call = place_call(sip_peer, dut, downstream(sip_peer_factory), retransmit=False,
                          edit=lambda invite: with_sent_by(invite, port=sent_by_peer.address[1]))
        with precondition("the DUT forwards the INVITE (RFC 3261 §16.6)"):
            reach_branches(call)
        branch = call.branches[0]
        provisional(branch)
        with precondition("the DUT relays the branch's provisional response upstream (RFC 3261 §16.7 step 5)"):
            peer, response = landing([sent_by_peer, sip_peer], call.invite, sip_timers.b)
        problems = at_sent_by_port(response, peer.address[1], source=sip_peer.address[1],
                                   sent_by=sent_by_peer.address[1], method="INVITE")
        assert not problems, problems[0]
        request = cancel_upstream(call, retransmit=False)
        with precondition("the DUT answers the CANCEL (RFC3261-16.10-4)"):
            peer, response = landing([sent_by_peer, sip_peer], request, sip_timers.f)
        problems = at_sent_by_port(response, peer.address[1], source=sip_peer.address[1],
                                   sent_by=sent_by_peer.address[1], method="CANCEL")
        assert not problems, problems[0]
        with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
            end_branch(branch, await_cancel(branch))
        final = final_at_sent_by(sip_peer, sent_by_peer, call)
        sip_peer.send(ack_for_non2xx(call.invite, final), (dut.host, dut.port))


def final_at_sent_by(sip_peer, sent_by_peer, call):
    """The final response to the INVITE at the sent-by socket; at the source socket it fails, at neither it is
    inconclusive (the DUT sends no final response: RFC3261-16.7-6a's)."""
    try:
        return sent_by_peer.expect_response(call.invite, final=True)
    except AssertionError:
        stray = [r.start_line for r in responses_seen(sip_peer, call.invite) if r.status >= 200]
        assert not stray, (f"{stray[0]!r} to the INVITE went to the source port {sip_peer.address[1]}, not the "
                           f"sent-by port {sent_by_peer.address[1]}")
        inconclusive("precondition not reached: the UAC gets a final response to its INVITE (RFC3261-16.7-6a): "
                     "none reached either socket")
