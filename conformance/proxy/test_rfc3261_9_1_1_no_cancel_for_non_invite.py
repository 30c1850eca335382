"""RFC 3261 §9.1 ¶1 (RFC3261-9.1-1, SHOULD NOT): "A CANCEL request SHOULD NOT be sent to cancel a request
other than INVITE."

Here: the UAC cancels a non-INVITE request it sent through the proxy; the proxy must not build a CANCEL of
its own for the non-INVITE client transaction (a CANCEL it forwards statelessly, §16.10 ¶4, carries
another branch and is not the proxy's).
"""

import pytest

from sipconform.flows.proxy import MARK, cancels_after, downstream, proxy_route
from sipconform.flows.proxy_profile import routing
from sipconform.sip import cancel_for
from sipconform.verdict import precondition
from sipconform.verify.silence import no_cancel

pytestmark = [pytest.mark.clause("RFC3261-9.1-1"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("method", ["OPTIONS", "MESSAGE"])
def test_no_cancel_for_a_non_invite_branch(sip_peer, sip_peer_factory, dut, method):
    """Stimulus: the UAC sends OPTIONS (or MESSAGE) through the DUT; the downstream peer answers 100 once
    RFC 4320 allows it and nothing more; the UAC sends a CANCEL for that request. Expectation: the
    downstream peer receives no CANCEL carrying the branch of the DUT's forwarded request."""
    (uas,) = downstream(sip_peer_factory)
    route = [proxy_route(dut, sip_peer.transport)] if routing(dut) == "route" else []
    request = sip_peer.request(method, (dut.host, dut.port), uri=uas.uri("uas"), route=route,
                               body=b"hello" if method == "MESSAGE" else b"",
                               headers=[("Content-Type", "text/plain")] if method == "MESSAGE" else ())
    sip_peer.send(request, (dut.host, dut.port))
    with precondition(f"the DUT forwards the {method} to the downstream peer"):
        forwarded = uas.expect_request(method, where=lambda r: r.call_id == request.call_id)
    uas.reactor.run_for(dut.timers.timer_e_reaches_t2)
    uas.respond(forwarded, 100, headers=[(MARK, uas.name)])
    sip_peer.send(cancel_for(request), (dut.host, dut.port))
    proxy_branch = forwarded.top_via.branch
    cancels = cancels_after(uas, request.call_id, dut.timers.quiet, where=lambda m: m.top_via.branch == proxy_branch)
    problems = no_cancel(uas.name, cancels)
    assert not problems, problems[0]
    uas.respond(forwarded, 200, headers=[(MARK, uas.name)])
