"""RFC 4320 §4.1 ¶2 (RFC4320-4.1-2, MUST NOT): "An SIP element MUST NOT respond to a non-INVITE request with a
Status-Code of 100 over any unreliable transport, such as UDP, before the amount of time it takes a client
transaction's Timer E to be reset to T2."

Here: the UAC's CANCEL over UDP, matched (the proxy answers it itself) or unmatched (the proxy forwards it
to a downstream peer that stays silent).
"""

import pytest

from sipconform.flows.proxy import cancel_upstream, downstream, proxy_route, responses_seen, ringing
from sipconform.flows.proxy_profile import routing
from sipconform.sip import cancel_for
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC4320-4.1-2"), pytest.mark.role("proxy"), pytest.mark.transport("udp")]


def _no_early_100(uac, cancel, sent_at, dut):
    limit = dut.timers.timer_e_reaches_t2
    early = [i for i in uac.received() if i.message in responses_seen(uac, cancel) and i.message.status == 100
             and i.time - sent_at < limit * 0.9]
    assert not early, (f"the CANCEL got a 100 after {early[0].time - sent_at:.3f} s over UDP, before Timer E "
                       f"reaches T2 ({limit:.3f} s for T1 = {dut.timers.t1:g} s, T2 = {dut.timers.t2:g} s)")


@pytest.mark.parametrize("matched", [True, False], ids=["matched-cancel", "unmatched-cancel"])
def test_no_100_to_cancel_before_timer_e_reaches_t2(sip_peer, sip_peer_factory, dut, matched):
    """Stimulus: over UDP, the UAC cancels a ringing INVITE through the DUT (the branch does not answer the
    DUT's CANCEL), or sends a CANCEL the DUT has no context for, toward a silent downstream peer. Expectation:
    no 100 to the CANCEL earlier than Timer E's reset to T2 (3.5 s with the default timers)."""
    peers = downstream(sip_peer_factory)
    if matched:
        with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
            call = ringing(sip_peer, dut, peers)
        sent_at = sip_peer.reactor.elapsed()
        cancel = cancel_upstream(call)
    else:
        route = [proxy_route(dut, "udp")] if routing(dut) == "route" else []
        cancel = cancel_for(sip_peer.invite((dut.host, dut.port), uri=peers[0].uri("uas"), route=route))
        sent_at = sip_peer.reactor.elapsed()
        sip_peer.send(cancel, (dut.host, dut.port))
    sip_peer.reactor.run_for(dut.timers.timer_e_reaches_t2 + dut.timers.quiet)
    _no_early_100(sip_peer, cancel, sent_at, dut)
