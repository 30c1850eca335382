"""RFC 3261 §17.1.1.2 ¶7 (RFC3261-17.1.1.2-1, MUST): "The client transaction MUST pass the received
response up to the TU, and the client transaction MUST generate an ACK request, even if the transport is
reliable (guidelines for constructing the ACK from the response are given in Section 17.1.1.3) and then
pass the ACK to the transport layer for transmission. The ACK MUST be sent to the same address, port,
and transport to which the original request was sent."

Here: the ACK for the 487 to a cancelled INVITE. Two peers as in RFC3261-9.1-12: the Request-URI names
the "callee", the upper tester's address is the "proxy"; the ACK must reach the one the INVITE reached.
"""

import pytest

from sipconform.flows.arrivals import await_first, await_request
from sipconform.flows.uac import Target, answer, hang_up, place_at
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.2-1"), pytest.mark.role("uac")]


def test_487_is_acked_where_the_invite_went(sip_peer_factory, upper_tester, sip_timers):
    """Stimulus: the DUT calls the callee peer (outbound proxy: the proxy peer); the peer that receives the
    INVITE rings (180); the DUT hangs up; CANCEL answered 200, INVITE answered 487. Expectation: an ACK
    for the 487 within 8*T1 (over TCP too), at the peer that received the INVITE."""
    callee, proxy = sip_peer_factory.make(name="callee"), sip_peer_factory.make(name="proxy")
    peers = [proxy, callee]
    with precondition("the DUT sends an INVITE when the upper tester makes it call"):
        call = place_at(peers, upper_tester, Target.via(callee, proxy))
    answer(call, 180)
    hang_up(call)
    of_call = lambda r: r.call_id == call.invite.call_id  # noqa: E731
    with precondition("the DUT sends a CANCEL when it hangs up (RFC 3261 §9.1)"):
        at, cancel = await_request(peers, "CANCEL", where=of_call)
    at.respond(cancel, 200)
    answer(call, 487)
    found = await_first(peers, "ACK", sip_timers.ack, where=of_call)
    assert found is not None, f"no ACK for the 487 within {sip_timers.ack:.3g} s (8*T1)"
    peer, _ack = found
    assert peer is call.peer, (f"the INVITE was sent to {call.peer.name} {call.peer.address} but the ACK for "
                               f"its 487 to {peer.name} {peer.address}")
