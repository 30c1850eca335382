"""RFC 3261 §18.1.1 ¶11 (RFC3261-18.1.1-1, RECOMMENDED / MAY): "If a request is destined to an IP address,
port, and transport to which an existing connection is open, it is RECOMMENDED that this connection be used
to send the request, but another connection MAY be opened and used."

Over TCP the CANCEL and the ACK for the 487 go where the INVITE went (§9.1, §17.1.1.3), so the INVITE's
connection, still open, is the recommended one for both. Another connection is legal: a warning.
"""

import pytest

from sipconform.flows.arrivals import arrival
from sipconform.flows.uac import await_ack, ring_and_cancel, terminate
from sipconform.verdict import precondition, warn

pytestmark = [pytest.mark.clause("RFC3261-18.1.1-1"), pytest.mark.role("uac"),
              pytest.mark.requires(transport="reliable")]


def test_cancel_and_ack_reuse_the_invite_connection(sip_peer, upper_tester):
    """Stimulus (TCP): the whole §9.1 flow: 180, the DUT hangs up, CANCEL answered 200, 487, the DUT's ACK.
    Expectation: the CANCEL and the ACK came over the INVITE's connection (warning otherwise, if that
    connection was still open)."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    terminate(call, cancel)
    with precondition("the DUT ACKs the 487 to its cancelled INVITE (RFC3261-17.1.1.2-1)"):
        ack = await_ack(call)
    invite_conn = arrival(sip_peer, call.invite).connection
    others = [f"the {r.method} came over connection {arrival(sip_peer, r).connection.remote}"
              for r in (cancel, ack) if arrival(sip_peer, r).connection is not invite_conn]
    if others and invite_conn.open:
        warn("; ".join(others) + f", not over the INVITE's ({invite_conn.remote}), which was open (§18.1.1: "
                                 "reusing it is RECOMMENDED)")
