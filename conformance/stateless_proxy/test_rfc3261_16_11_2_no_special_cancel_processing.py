"""RFC 3261 §16.11 ¶12 (RFC3261-16.11-2, MUST NOT): "Stateless proxies MUST NOT perform special processing for
CANCEL requests. They are processed by the above rules as any other requests. In particular, a stateless
proxy applies the same Route header field processing to CANCEL requests that it applies to any other
request."
"""

import pytest

from sipconform.flows.proxy import MARK, cancel_received, cancel_upstream, downstream, relayed, responses_seen, ringing
from sipconform.verdict import precondition
from sipconform.verify.messages import same_via

pytestmark = [pytest.mark.clause("RFC3261-16.11-2"), pytest.mark.role("stateless-proxy")]


@pytest.mark.parametrize("beyond", [0, 2], ids=["no-route", "routes-left"])
def test_cancel_is_forwarded_like_the_invite(sip_peer, sip_peer_factory, dut, beyond):
    """Stimulus: INVITE through the DUT (with ``Route: <DUT;lr>, <peer;lr>, <hop;lr>`` in one variant); the peer
    rings; the UAC sends CANCEL; the peer leaves it unanswered for 10*T1 (at least 1 s), then answers 200.
    Expectation: the DUT does not answer the CANCEL itself; the forwarded CANCEL has the Request-URI and Route
    values of the forwarded INVITE; the peer's 200 reaches the UAC with the UAC's Via only."""
    (peer,) = downstream(sip_peer_factory)
    routes = [f"<{peer.uri('uas')};lr>", "<sip:hop@127.0.0.1:9;lr>"][:beyond]
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, [peer], routes_beyond=routes)
    cancel = cancel_upstream(call)
    (branch,) = call.branches
    forwarded = cancel_received(branch)
    window = dut.timers.quiet
    sip_peer.reactor.run_for(window)
    early = [r.start_line for r in responses_seen(sip_peer, cancel)]
    assert not early, f"the DUT answered the CANCEL itself, before the downstream peer did: {early}"
    assert forwarded.uri == branch.invite.uri, (
        f"the CANCEL was forwarded to {forwarded.uri!r}, the INVITE to {branch.invite.uri!r}")
    assert [r.uri for r in forwarded.routes] == [r.uri for r in branch.invite.routes], (
        f"the CANCEL's Route {[r.text for r in forwarded.routes]} differs from the INVITE's "
        f"{[r.text for r in branch.invite.routes]}")
    peer.respond(forwarded, 200, headers=[(MARK, peer.name)])
    answer = sip_peer.expect_response(cancel, final=True, within=window)
    assert relayed(answer) == peer.name, f"the UAC's 200 did not come from the downstream peer: {answer.start_line!r}"
    assert len(answer.vias) == 1 and same_via(cancel.top_via, answer.top_via, top=True), (
        f"the relayed 200's Via {[v.text for v in answer.vias]} is not the UAC's CANCEL Via")
    own = [r.start_line for r in responses_seen(sip_peer, cancel) if not relayed(r)]
    assert not own, f"the DUT answered the CANCEL itself: {own}"
    peer.respond(branch.invite, 487, headers=[(MARK, peer.name)])
