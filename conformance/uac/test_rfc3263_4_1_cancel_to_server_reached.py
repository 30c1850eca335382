"""RFC 3263 §4 ¶3 (RFC3263-4-1, MUST): "Furthermore, a CANCEL for a particular SIP request MUST be sent to the
same SIP server that the SIP request was delivered to."

Here: the upper tester makes the DUT call sip:peer@<test domain> with no outbound proxy; the suite's DNS
server (profile ``[dns] server``) gives that domain SRV records t1 (priority 0) and t2 (priority 1). t1
answers the INVITE 503, so the DUT tries t2 (§4.3); t2 rings; the DUT hangs up. A UAC that resolves the
domain again for the CANCEL finds t1 first and sends it there. Without a ``[dns] server`` in the profile
the test is inconclusive; a DUT that never tries t1 first, or does not fail over to t2 (a SHOULD), leaves it
inconclusive too.
"""

import pytest

from sipconform.flows.locating import (ack_destination, await_cancel_at, await_srv_invite, domain_uri, misdirected,
                                       publish, where)
from sipconform.flows.uac import IncomingCall, Target, answer, dial, hang_up
from sipconform.verdict import precondition
from sipconform.verify.server_location import cancel_to_server_reached

pytestmark = [pytest.mark.clause("RFC3263-4-1"), pytest.mark.role("uac"),
              pytest.mark.requires(transport=("udp", "tcp"))]  # DNS fixture: SIP+D2U/D2T records only


def test_cancel_goes_to_the_server_the_invite_reached(sip_peer_factory, upper_tester, sip_transport, sip_timers,
                                                      sip_dns):
    """Stimulus: the DUT calls sip:peer@<test domain>; SRV: t1 (priority 0), t2 (priority 1); t1 answers 503,
    the DUT's next INVITE reaches t2, which rings; the DUT hangs up. Expectation: its CANCEL (and its ACK for
    t2's 487) reach t2; t1 gets neither."""
    t1, t2 = sip_peer_factory.make(name="t1"), sip_peer_factory.make(name="t2")
    publish(sip_dns, sip_transport, [(0, 1000, t1), (1, 1000, t2)])
    # no outbound proxy, no port: the DUT locates the server itself (an exec upper tester gets {port} = 0)
    target = Target(domain_uri(sip_dns, "peer", sip_transport), sip_dns.origin, 0, sip_transport)
    with precondition("the DUT calls when the upper tester makes it"):
        dial(upper_tester, target)
    with precondition("the DUT sends its INVITE to the server its SRV records name (RFC 3263 §4.4)"):
        server, first = await_srv_invite(sip_dns, [t1, t2], None, sip_timers.b)
    with precondition(f"the DUT tries {where(t1)} (SRV priority 0) first (RFC 2782)"):
        assert server is t1, f"its INVITE went to {where(t2)} (priority 1), so no failover could be seen"
    t1.respond(first, 503)
    with precondition(f"after the 503 of {where(t1)} the DUT tries the next SRV target (RFC 3263 §4.3, a SHOULD)"):
        _, second = await_srv_invite(sip_dns, [t2], first.call_id, sip_timers.b)
    call = IncomingCall(t2, upper_tester, second)
    answer(call, 180)
    hang_up(call)
    with precondition("the DUT hung up while ringing sends a CANCEL (RFC 3261 §9.1) the suite can see"):
        cancel_at, cancel = await_cancel_at([t2, t1], second, sip_timers.b)
    if cancel_at is t2:
        t2.respond(cancel, 200)
    final = answer(call, 487)
    ack_destination([t2, t1], second, final.to.tag, sip_timers.ack)
    problems = cancel_to_server_reached(where(t2), where(t1), where(cancel_at), misdirected(t1, second, final.to.tag))
    assert not problems, problems[0]
