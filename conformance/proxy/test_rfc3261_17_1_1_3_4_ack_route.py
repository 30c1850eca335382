"""RFC 3261 §17.1.1.3 ¶3 (RFC3261-17.1.1.3-4, MUST): "If the INVITE request whose response is being
acknowledged had Route header fields, those header fields MUST appear in the ACK."
"""

import pytest

from sipconform.flows.proxy import cancel_and_ack, downstream
from sipconform.verdict import inconclusive, precondition
from sipconform.verify.ack import carries_the_routes

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.3-4"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("beyond", [1, 2], ids=["one-route-left", "two-routes-left"])
def test_ack_for_487_carries_the_invites_route(sip_peer, sip_peer_factory, dut, beyond):
    """Stimulus: INVITE with ``Route: <DUT;lr>, <downstream peer;lr>`` (and one more value); the branch rings;
    the UAC cancels; the branch answers 200 and 487. Expectation: the DUT's ACK has the Route values of the
    INVITE it forwarded, in order."""
    peers = downstream(sip_peer_factory)
    routes = [f"<{peers[0].uri('uas')};lr>", "<sip:hop@127.0.0.1:9;lr>"][:beyond]
    with precondition("the DUT cancels each ringing branch and ACKs its 487 (RFC3261-16.10-2, RFC3261-17.1.1.2-1)"):
        ((branch, _final, ack),) = cancel_and_ack(sip_peer, dut, peers, routes_beyond=routes)
    if not branch.invite.routes:
        inconclusive("the DUT forwarded the INVITE without any Route, so there was none to copy")
    problems = carries_the_routes(branch.invite, ack)
    assert not problems, f"the ACK for the 487: {problems[0]}"
