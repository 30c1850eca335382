"""RFC 3261 §28.1 (RFC3261-28.1-1): "In RFC 2543, closure of a TCP connection was made equivalent to a
CANCEL. This was nearly impossible to implement (and wrong) for TCP connections between proxies. This
has been eliminated, so that there is no coupling between TCP connection state and SIP processing."
"""

import pytest

from sipconform.flows.uas import await_final, cancel, is_final_to, ring
from sipconform.verdict import inconclusive, precondition

# TCP and TLS: the DUT answers the INVITE on a new connection to its sent-by (§18.2.2); a WebSocket server
# cannot open one (RFC 7118 §5: only the client connects), so over WS/WSS the closed INVITE gets no 487.
pytestmark = [pytest.mark.clause("RFC3261-28.1-1"), pytest.mark.role("uas"),
              pytest.mark.requires(transport=("tcp", "tls"))]


def test_closing_the_connection_does_not_cancel(sip_peer, dut, sip_timers):
    """Stimulus: INVITE over TCP; the DUT rings; the peer closes the connection (no CANCEL) and keeps
    listening at its sent-by; after 4*T1, the CANCEL on a new connection.
    Expectation: no final response within those 4*T1; the CANCEL is answered 200 and ends the INVITE."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    sip_peer.close_connections()
    ended = lambda: sip_peer.arrivals(is_final_to(call.invite))  # noqa: E731
    sip_peer.wait_until(lambda: bool(ended()), within=sip_timers.immediately)
    assert not ended(), (f"closing the TCP connection ended the ringing INVITE with {ended()[0].first_line!r}, "
                         "as if it were a CANCEL")
    request = cancel(call)
    response = sip_peer.expect_response(request, final=True)
    assert response.status != 481, ("after the TCP connection was closed the CANCEL got 481: the INVITE "
                                    "transaction was gone")
    if response.status != 200:
        inconclusive(f"the CANCEL was answered {response.start_line!r} (see RFC3261-9.2-10)")
    with precondition("the cancelled INVITE ends at once (RFC3261-9.2-8)"):
        final = await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
    assert final.status >= 300, f"the cancelled INVITE was answered {final.start_line!r}"
