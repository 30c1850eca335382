"""RFC 3263 §4 ¶3 (RFC3263-4-1, MUST): "Furthermore, a CANCEL for a particular SIP request MUST be sent to the
same SIP server that the SIP request was delivered to."

Here: the UAC's Request-URI names a domain of the suite's DNS server (profile ``[dns] server``) whose SRV
records give t1 (priority 0) and t2 (priority 1). t1 answers the INVITE 503, so the DUT tries t2 (§4.3); t2
rings. A proxy that resolves the domain again for the CANCEL finds t1 first and sends it there. Without a
``[dns] server`` in the profile the test is inconclusive; a DUT that never tries t1 first, or does not fail
over to t2 (a SHOULD), leaves it inconclusive too.
"""

import pytest

from sipconform.flows.locating import (ack_destination, await_cancel_at, await_srv_invite, domain_uri, misdirected,
                                       publish, where)
from sipconform.flows.proxy import MARK, await_provisional, cancel_upstream, end_branch, place_call, provisional
from sipconform.verdict import precondition
from sipconform.verify.server_location import cancel_to_server_reached

pytestmark = [pytest.mark.clause("RFC3263-4-1"), pytest.mark.role("proxy"),
              pytest.mark.requires(transport=("udp", "tcp"))]  # DNS fixture: SIP+D2U/D2T records only


def test_cancel_goes_to_the_server_the_invite_reached(sip_peer, sip_peer_factory, dut, sip_transport, sip_timers,
                                                      sip_dns):
    """Stimulus: INVITE for sip:uas@<test domain>; SRV: t1 (priority 0), t2 (priority 1); t1 answers 503,
    the DUT's next INVITE reaches t2, which rings; the UAC cancels. Expectation: the DUT's CANCEL (and its
    ACK for t2's 487) reach t2; t1 gets neither."""
    t1, t2 = sip_peer_factory.make(name="t1"), sip_peer_factory.make(name="t2")
    publish(sip_dns, sip_transport, [(0, 1000, t1), (1, 1000, t2)])
    call = place_call(sip_peer, dut, [t2], uri=domain_uri(sip_dns, "uas", sip_transport))
    with precondition("the DUT forwards the INVITE to the server its SRV records name (RFC 3263 §4.4)"):
        server, first = await_srv_invite(sip_dns, [t1, t2], call.invite.call_id, sip_timers.b)
    with precondition(f"the DUT tries {where(t1)} (SRV priority 0) first (RFC 2782)"):
        assert server is t1, f"its INVITE went to {where(t2)} (priority 1), so no failover could be seen"
    t1.respond(first, 503, headers=[(MARK, t1.name)])
    with precondition(f"after the 503 of {where(t1)} the DUT tries the next SRV target (RFC 3263 §4.3, a SHOULD)"):
        _, second = await_srv_invite(sip_dns, [t2], first.call_id, sip_timers.b)
    (branch,) = call.branches
    branch.invite = second
    provisional(branch)
    with precondition("the UAC receives a provisional response through the DUT (RFC 3261 §16.7 step 5)"):
        await_provisional(call, relayed_from=branch)
    cancel_upstream(call)
    with precondition("the DUT cancels the INVITE t2 rang for (RFC3261-16.10-2) where the suite can see it"):
        cancel_at, cancel = await_cancel_at([t2, t1], second, sip_timers.b)
    with precondition("t2 can answer the DUT's CANCEL (RFC3261-9.1-4)"):
        final = end_branch(branch, cancel if cancel_at is t2 else None)
    ack_destination([t2, t1], second, final.to.tag, sip_timers.ack)
    problems = cancel_to_server_reached(where(t2), where(t1), where(cancel_at), misdirected(t1, second, final.to.tag))
    assert not problems, problems[0]
