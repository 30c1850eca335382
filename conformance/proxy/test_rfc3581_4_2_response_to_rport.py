"""RFC 3581 §4 ¶3 (RFC3581-4-2, MUST): "If the "sent-protocol" component indicates an unreliable unicast
transport protocol, such as UDP, and there is no "maddr" parameter, but there is both a "received"
parameter and an "rport" parameter, the response MUST be sent to the IP address listed in the "received"
parameter, and the port in the "rport" parameter. The response MUST be sent from the same address and
port that the corresponding request was received on."

Here: the proxy's responses upstream. The UAC's sent-by port names another socket of the tester (as behind a
NAT), its Via has ``rport``.
"""

import pytest

from sipconform.flows.proxy import (await_cancel, await_final, cancel_upstream, downstream, end_branch, place_call,
                                    provisional, reach_branches)
from sipconform.flows.uas import landing
from sipconform.flows.variants import with_sent_by
from sipconform.verdict import precondition
from sipconform.verify.landing import at_source_port

pytestmark = [pytest.mark.clause("RFC3581-4-2"), pytest.mark.role("proxy"), pytest.mark.transport("udp")]


def test_responses_go_to_the_source_port(sip_peer, sip_peer_factory, dut, sip_timers):
    """Stimulus: from socket A, INVITE through the DUT whose Via has ``;rport`` and a sent-by port of socket B;
    the branch rings; the CANCEL from A; the branch answers 200 and 487.
    Expectation: the first response to the INVITE, the 200 (CANCEL) and the 487 reach A, from the DUT's port."""
    with sip_peer_factory(name="sent-by") as sent_by_peer:
        call = place_call(sip_peer, dut, downstream(sip_peer_factory), retransmit=False,
                          edit=lambda invite: with_sent_by(invite, port=sent_by_peer.address[1], rport=True))
        with precondition("the DUT forwards the INVITE (RFC 3261 §16.6)"):
            reach_branches(call)
        branch = call.branches[0]
        provisional(branch)
        with precondition("the DUT relays the branch's provisional response upstream (RFC 3261 §16.7 step 5)"):
            peer, response = landing([sip_peer, sent_by_peer], call.invite, sip_timers.b)
        problems = at_source_port(response, peer.address[1], source=sip_peer.address[1],
                                  sent_by=sent_by_peer.address[1], method="INVITE",
                                  came_from=peer.source_of(response), received_at=(dut.host, dut.port))
        assert not problems, problems[0]
        request = cancel_upstream(call, retransmit=False)
        with precondition("the DUT answers the CANCEL (RFC3261-16.10-4)"):
            peer, response = landing([sip_peer, sent_by_peer], request, sip_timers.f)
        problems = at_source_port(response, peer.address[1], source=sip_peer.address[1],
                                  sent_by=sent_by_peer.address[1], method="CANCEL",
                                  came_from=peer.source_of(response), received_at=(dut.host, dut.port))
        assert not problems, problems[0]
        with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
            end_branch(branch, await_cancel(branch))
        with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
            await_final(call)  # its transaction ACKs it
