"""RFC 3261 §9.1 ¶8 (RFC3261-9.1-12, MUST): "The destination address, port, and transport for the CANCEL
MUST be identical to those used to send the original request."

Two peers: the Request-URI names the "callee"; the address handed to the upper tester is the "proxy"
(the outbound proxy of a DUT that takes one). The DUT's INVITE reaches one of them; its CANCEL must reach
the same one, over the same transport. Over TCP, reusing the INVITE's connection is RECOMMENDED (§18.1.1):
a new connection while that one is still open is a warning. A CANCEL that reaches neither peer (sent to
another address, port or transport, or not at all) cannot be seen: inconclusive.
"""

import pytest

from sipconform.flows.arrivals import arrival, await_first, refused
from sipconform.flows.uac import Target, answer, finish, hang_up, place_at
from sipconform.verdict import inconclusive, precondition, warn

pytestmark = [pytest.mark.clause("RFC3261-9.1-12"), pytest.mark.role("uac")]


def _where(peer):
    host, port = peer.address
    return f"{peer.name} ({peer.transport.upper()} {host}:{port})"


def test_cancel_goes_where_the_invite_went(sip_peer_factory, upper_tester, sip_timers):
    """Stimulus: the DUT calls the callee peer (outbound proxy: the proxy peer); the peer that receives the
    INVITE rings (180); the DUT hangs up. Expectation: the CANCEL arrives at that same peer (address, port,
    transport); over TCP on the INVITE's connection (recommended)."""
    callee, proxy = sip_peer_factory.make(name="callee"), sip_peer_factory.make(name="proxy")
    with precondition("the DUT sends an INVITE when the upper tester makes it call"):
        call = place_at([proxy, callee], upper_tester, Target.via(callee, proxy))
    answer(call, 180)
    hang_up(call)
    found = await_first([callee, proxy], "CANCEL", sip_timers.b, where=lambda r: r.call_id == call.invite.call_id,
                        until_refused=True)
    if found is None:
        finish(call)
        inconclusive(f"no CANCEL reached {_where(callee)} or {_where(proxy)} within 64*T1 of the hang-up"
                     f"{refused([callee, proxy], 'CANCEL')}")
    peer, cancel = found
    finish(call, cancel if peer is call.peer else None)
    assert peer is call.peer, f"the INVITE was sent to {_where(call.peer)} but the CANCEL to {_where(peer)}"
    invite_conn, cancel_conn = arrival(peer, call.invite).connection, arrival(peer, cancel).connection
    if invite_conn is not None and cancel_conn is not invite_conn and invite_conn.open:
        warn(f"the CANCEL came over a new TCP connection ({cancel_conn.remote}) although the INVITE's "
             f"({invite_conn.remote}) was still open (§18.1.1: reuse is RECOMMENDED)")
