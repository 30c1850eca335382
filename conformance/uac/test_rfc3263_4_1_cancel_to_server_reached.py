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

from sipconform.flows.uac import IncomingCall, answer, dial, hang_up
from sipconform.scenario.locating import (
    ack_destination,
    cancel_destination,
    failover,
    misdirected,
    publish,
    resolving_target,
    where,
)
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3263-4-1"), pytest.mark.role("uac")]


def test_cancel_goes_to_the_server_the_invite_reached(sip_peer_factory, upper_tester, sip_transport, sip_timers,
                                                      sip_dns):
    """Stimulus: the DUT calls sip:peer@<test domain>; SRV: t1 (priority 0), t2 (priority 1); t1 answers 503,
    the DUT's next INVITE reaches t2, which rings; the DUT hangs up. Expectation: its CANCEL (and its ACK for
    t2's 487) reach t2; t1 gets neither."""
    t1, t2 = sip_peer_factory.make(name="t1"), sip_peer_factory.make(name="t2")
    publish(sip_dns, sip_transport, [(0, 1000, t1), (1, 1000, t2)])
    with precondition("the DUT calls when the upper tester makes it"):
        dial(upper_tester, resolving_target(sip_dns, "peer", sip_transport))
    tried = failover(sip_dns, t1, t2, None, sip_timers.b, lambda invite: t1.respond(invite, 503))
    call = IncomingCall(t2, upper_tester, tried.second)
    answer(call, 180)
    hang_up(call)
    peer, cancel = cancel_destination(tried, sip_timers.b)
    if peer is t2:
        t2.respond(cancel, 200)
    final = answer(call, 487)
    ack_destination(tried, final.to.tag, sip_timers.ack)
    wrong = misdirected(t1, tried.second, final.to.tag)
    assert peer is t2 and not wrong, (
        f"the DUT sent {', '.join(wrong) or 'its CANCEL'} for the INVITE delivered to {where(t2)} to {where(t1)} "
        "(SRV priority 0, which had answered 503), not to the server the INVITE was delivered to: it located the "
        "server afresh instead of once per transaction (RFC 3263 §4)")
