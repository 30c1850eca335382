"""RFC 3261 §16.10 ¶4 (RFC3261-16.10-6, MUST): "It MUST statelessly forward the CANCEL request (it may have
statelessly forwarded the associated request previously)."

Here: a CANCEL for which the proxy has no response context. RFC 5393 §5.4.1 ("CANCEL requests are never
proxied") and deployed proxies that answer 481 disagree with §16.10; so a proxy that does not forward is a
fail only if its profile sets ``[capabilities] strict_rfc3261_proxy = true``, a warn otherwise. Forwarding
statefully (the proxy retransmitting on its own over UDP) is a warn.
"""

import pytest

from sipconform.flows.proxy import MARK, downstream, proxy_route, relayed, requests_seen
from sipconform.flows.proxy_profile import routing
from sipconform.sip import cancel_for
from sipconform.sip.timers import HOST_SLACK
from sipconform.verdict import Fail, warn

pytestmark = [pytest.mark.clause("RFC3261-16.10-6"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("with_route", [False, True], ids=["request-uri", "route"])
def test_cancel_without_context_is_forwarded_statelessly(sip_peer, sip_peer_factory, dut, with_route):
    """Stimulus: the UAC sends, once, a CANCEL for an INVITE the DUT never saw, with the downstream peer's
    Request-URI (and ``Route: <DUT;lr>``); the downstream peer answers it 481. Expectation: the downstream peer
    receives it with the DUT's Via on top of the UAC's and Max-Forwards decremented; the DUT does not answer it
    itself; over UDP the DUT does not retransmit it on its own. (Whether the 481 travels back is not judged:
    RFC 6026 §8.2 has a transaction-stateful proxy drop responses that match no transaction.)"""
    (uas,) = downstream(sip_peer_factory)
    route = [proxy_route(dut, sip_peer.transport)] if with_route or routing(dut) == "route" else []
    invite = sip_peer.invite((dut.host, dut.port), uri=uas.uri("uas"), route=route)
    cancel = cancel_for(invite)
    sip_peer.send(cancel, (dut.host, dut.port), retransmit=False)
    window = dut.timers.quiet
    try:
        forwarded = uas.expect_request("CANCEL", where=lambda r: r.call_id == cancel.call_id, within=window)
    except AssertionError:
        answers = [r.start_line for r in sip_peer.unconsumed() if r.call_id == cancel.call_id]
        what = f"answered it {answers}" if answers else f"sent nothing on within {window:.2f} s"
        message = f"the DUT did not forward a CANCEL that matches no response context: it {what}"
        if dut.capabilities.strict_rfc3261_proxy:
            raise Fail(message) from None
        warn(message)
    own = [r.start_line for r in sip_peer.unconsumed() if r.call_id == cancel.call_id and not relayed(r)]
    assert not own, f"the DUT answered the context-less CANCEL itself: {own}"
    assert len(forwarded.vias) == 2 and forwarded.vias[1].branch == cancel.top_via.branch, (
        f"the forwarded CANCEL's Via {[v.text for v in forwarded.vias]} is not the DUT's on top of the UAC's")
    assert forwarded.max_forwards == cancel.max_forwards - 1, (
        f"Max-Forwards {forwarded.max_forwards}, the UAC sent {cancel.max_forwards}")
    if uas.transport == "udp":  # a client transaction of the DUT would retransmit at T1, 3*T1 ...
        uas.wait_until(lambda: len(requests_seen(uas, "CANCEL", cancel.call_id)) > 1,
                       dut.timers.immediately + HOST_SLACK)
    copies = len(requests_seen(uas, "CANCEL", cancel.call_id))
    uas.respond(forwarded, 481, headers=[(MARK, uas.name)])
    if copies > 1:
        warn(f"the CANCEL was forwarded statefully: the downstream peer got {copies} copies of a CANCEL the UAC "
             f"sent once")
