"""RFC 3261 §9.1 ¶4 (RFC3261-9.1-5, MUST): "If the request being cancelled contains a Route header field, the
CANCEL request MUST include that Route header field's values."

Here: the INVITE the proxy forwards keeps the Route values after the proxy's own (§16.4 loose routing);
the proxy's CANCEL on that branch must carry the same values in the same order.
"""

import pytest

from sipconform.flows.proxy import await_cancel, cancel_upstream, downstream, end_branch, ringing
from sipconform.verdict import Inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3261-9.1-5"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("beyond", [1, 2], ids=["one-route-left", "two-routes-left"])
def test_cancel_carries_the_forwarded_invites_route(sip_peer, sip_peer_factory, dut, beyond):
    """Stimulus: INVITE with ``Route: <DUT;lr>, <downstream peer;lr>`` (and one more loose-routing value); the
    downstream peer rings; the UAC sends CANCEL. Expectation: the DUT's CANCEL has the Route values of the
    INVITE it forwarded, in order."""
    peers = downstream(sip_peer_factory)
    routes = [f"<{peers[0].uri('uas')};lr>", "<sip:hop@127.0.0.1:9;lr>"][:beyond]
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, peers, routes_beyond=routes)
    branch = call.branches[0]
    sent = [r.uri for r in branch.invite.routes]
    if not sent:
        raise Inconclusive("the DUT forwarded the INVITE without any Route, so there was none to copy")
    cancel_upstream(call)
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        cancel = await_cancel(branch)
    got = [r.uri for r in cancel.routes]
    assert got == sent, f"the CANCEL's Route values {got} are not the forwarded INVITE's {sent}"
    end_branch(branch, cancel)
