"""RFC 6026 §6 ¶2 (RFC6026-6-3, MUST / MUST NOT): "When receiving any SIP response, a transaction-stateful proxy
MUST compare the transaction identifier in that response against its existing transaction state machines.
The proxy MUST NOT forward the response if there is no matching transaction state machine."

Stimulus: during a ringing call through the DUT, the branch sends the DUT a 487 to an INVITE, or a 200 to a
CANCEL, that the DUT never sent: the DUT's own Via with an unknown branch on top of a Via of the UAC.
Expectation: the UAC receives neither (the RFC 3261 §16.7 ¶1 "process it as a stateless proxy" is gone).
"""

import pytest

from sipconform.flows.proxy import downstream, responses_seen, ringing, send_stray
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC6026-6-3"), pytest.mark.role("proxy")]


@pytest.mark.parametrize(("status", "method"), [(487, "INVITE"), (200, "CANCEL")], ids=["487-invite", "200-cancel"])
def test_stray_response_with_unknown_branch_is_not_forwarded(sip_peer, sip_peer_factory, dut, status, method):
    """Stimulus: a ringing call; the branch sends a stray ``status`` (CSeq ``method``) with an unknown branch of
    the DUT's Via. Expectation: nothing reaches the UAC within 10*T1."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    ours = send_stray(call, call.branches[0], status, method)
    sip_peer.reactor.run_for(dut.timers.quiet)
    leaked = [r.start_line for r in responses_seen(sip_peer, ours)]
    assert not leaked, (f"the DUT forwarded a {status} ({method}) that matched no transaction of its own: "
                        f"{leaked}")
