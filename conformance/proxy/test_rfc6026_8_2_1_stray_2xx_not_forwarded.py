"""RFC 6026 §8.2 (RFC6026-8.2-1, MUST NOT; replaces RFC 3261 §16.7 ¶1-2): "If none is found, the element MUST
NOT forward the response."

RFC 3261 had a stateful proxy forward a 2xx that matches no client transaction statelessly; RFC 6026 keeps
the INVITE client transaction in "Accepted" for 2xx retransmissions and forks, so a 2xx with an unknown
branch has no business upstream any more.

Stimulus: during a ringing call through the DUT, the branch sends the DUT a 200 (and a 183) to an INVITE the
DUT never sent: the DUT's own Via with an unknown branch on top of a Via of the UAC.
Expectation: the UAC receives none of them.
"""

import pytest

from sipconform.flows.proxy import downstream, responses_seen, ringing, send_stray
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC6026-8.2-1"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("status", [200, 183])
def test_stray_invite_response_is_not_forwarded(sip_peer, sip_peer_factory, dut, status):
    """Stimulus: a ringing call; the branch sends a stray ``status`` to an INVITE, with an unknown branch of the
    DUT's Via. Expectation: nothing reaches the UAC within 10*T1."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    ours = send_stray(call, call.branches[0], status)
    sip_peer.reactor.run_for(dut.timers.quiet)
    leaked = [r.start_line for r in responses_seen(sip_peer, ours)]
    assert not leaked, f"the DUT forwarded a {status} to an INVITE it never sent (no matching transaction): {leaked}"
