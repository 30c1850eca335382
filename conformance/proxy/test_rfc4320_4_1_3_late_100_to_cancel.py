"""RFC 4320 §4.1 ¶4 (RFC4320-4.1-3, MUST): "Without regard to transport, an SIP element MUST respond to a non-
INVITE request with a Status-Code of 100 if it has not otherwise responded after the amount of time it takes
a client transaction's Timer E to be reset to T2."

Reachable only when the proxy handles a CANCEL statefully and cannot answer it in time: a CANCEL with no
response context that the proxy forwards through a client transaction of its own to a silent peer. A proxy
that forwards it statelessly (as §16.10 says) is not the responder: inconclusive. Over TCP the test cannot
tell the two apart unless a response comes.
"""

import pytest

from sipconform.flows.proxy import downstream, proxy_route, requests_seen, responses_seen
from sipconform.flows.proxy_profile import routing
from sipconform.sip import cancel_for
from sipconform.verdict import Inconclusive, precondition
from sipconform.sip.transports import RELIABLE

pytestmark = [pytest.mark.clause("RFC4320-4.1-3"), pytest.mark.role("proxy")]


def test_late_100_to_a_cancel_forwarded_statefully(sip_peer, sip_peer_factory, dut):
    """Stimulus: the UAC sends, once, a CANCEL the DUT has no context for, toward a downstream peer that never
    answers it. Expectation: if the DUT forwards it statefully (it retransmits it over UDP), the UAC gets a 100
    (or a final response) by the time Timer E reaches T2 (+10*T1, at least 1 s)."""
    (uas,) = downstream(sip_peer_factory)
    route = [proxy_route(dut, sip_peer.transport)] if routing(dut) == "route" else []
    cancel = cancel_for(sip_peer.invite((dut.host, dut.port), uri=uas.uri("uas"), route=route))
    sip_peer.send(cancel, (dut.host, dut.port), retransmit=False)
    with precondition("the DUT forwards the context-less CANCEL downstream"):
        uas.expect_request("CANCEL", where=lambda r: r.call_id == cancel.call_id, within=dut.timers.quiet)
    limit = dut.timers.timer_e_reaches_t2 + dut.timers.quiet
    answered = sip_peer.wait_until(lambda: bool(responses_seen(sip_peer, cancel)), limit)
    if answered:
        return
    if uas.transport in RELIABLE or len(requests_seen(uas, "CANCEL", cancel.call_id)) < 2:
        raise Inconclusive("the DUT forwarded the CANCEL without retransmitting it: statelessly as far as can be "
                           "seen, so it is not the element that must answer")
    raise AssertionError(f"the DUT forwards the CANCEL statefully (it retransmits it) but sent the UAC no 100 or "
                         f"final response within {limit:.2f} s")
