"""RFC 3261 §18.1.1 ¶11 (RFC3261-18.1.1-1, RECOMMENDED / MAY): "If a request is destined to an IP address,
port, and transport to which an existing connection is open, it is RECOMMENDED that this connection be used
to send the request, but another connection MAY be opened and used."

Here: the proxy's CANCEL on a TCP branch goes to where its INVITE went (§9.1), while the INVITE's connection
is still open: it should go on that connection. A new connection is allowed, hence a warning.
"""

import pytest

from sipconform.flows.proxy import (await_cancel, await_final, cancel_upstream, downstream, end_branch, requests_seen,
                                    ringing)
from sipconform.verdict import precondition, warn

pytestmark = [pytest.mark.clause("RFC3261-18.1.1-1"), pytest.mark.role("proxy"),
              pytest.mark.requires(transport="reliable")]


def test_cancel_uses_the_invites_connection(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE through the DUT over TCP; the branch rings and keeps its connection open; the UAC
    cancels. Expectation: the DUT's CANCEL reaches the branch on the connection its INVITE came on."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel_upstream(call)
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        cancel = await_cancel(branch)
    end_branch(branch, cancel)
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        await_final(call)
    invite_on, cancel_on = (requests_seen(branch.peer, method, call.invite.call_id)[0].connection
                            for method in ("INVITE", "CANCEL"))
    if cancel_on is not invite_on:
        warn(f"the DUT's CANCEL came on a new TCP connection (#{getattr(cancel_on, 'id', '?')}), not on the "
             f"INVITE's (#{getattr(invite_on, 'id', '?')}), though that one was still open")
