"""RFC 6026 §8.9 (RFC6026-8.9-1, MUST; replaces RFC 3261 §18.1.2 ¶2): "The client transport uses the matching
procedures of Section 17.1.3 to attempt to match the response to an existing transaction. If there is a match,
the response MUST be passed to that transaction. Otherwise, any element other than a stateless proxy MUST
silently discard the response."

Here: the proxy's client transport; "silently": no ACK for a stray 487 (an ACK is the work of an INVITE client
transaction it does not have), nothing upstream (the forwarding itself is RFC6026-6-3).
Stimulus: during a ringing call through the DUT, the branch sends the DUT a 487 to an INVITE, or a 200 to a
CANCEL, that the DUT never sent: the DUT's own Via with an unknown branch on top of a Via of the UAC.
Expectation: within 10*T1 the branch gets no ACK for it and the UAC gets nothing.
"""

import pytest

from sipconform.flows.proxy import downstream, requests_seen, responses_seen, ringing, send_stray
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC6026-8.9-1"), pytest.mark.role("proxy")]


@pytest.mark.parametrize(("status", "method"), [(487, "INVITE"), (200, "CANCEL")], ids=["487-invite", "200-cancel"])
def test_stray_response_is_silently_discarded(sip_peer, sip_peer_factory, dut, status, method):
    """Stimulus: a ringing call; the branch sends a stray ``status`` (CSeq ``method``) with an unknown branch of
    the DUT's Via. Expectation: no ACK of it at the branch, no response at the UAC, within 10*T1."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    branch = call.branches[0]
    ours = send_stray(call, branch, status, method)
    sip_peer.reactor.run_for(dut.timers.quiet)
    said = [i.message.start_line for i in requests_seen(branch.peer, "ACK", ours.call_id)]
    said += [r.start_line for r in responses_seen(sip_peer, ours)]
    assert not said, (f"the DUT did not silently discard a {status} ({method}) that matched no transaction of its "
                      f"own: {said}")
