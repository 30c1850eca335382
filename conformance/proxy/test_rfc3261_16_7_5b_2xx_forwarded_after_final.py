"""RFC 3261 §16.7 step 5 (RFC3261-16.7-5b, MUST): "After a final response has been sent on the server
transaction, the following responses MUST be forwarded immediately:" (o Any provisional response other
than 100 (Trying); o Any 2xx response to an INVITE request).

Here: after a forked call was answered 200 on one branch (a final response sent upstream), the other
branch answers 200 as well (its CANCEL crossed the 200): that 2xx is forwarded too.
"""

import pytest

from sipconform.flows.proxy import MARK, answer_cancel, await_final, cancel_received, downstream, relayed, ringing
from sipconform.peer import NoMessage
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-16.7-5b"), pytest.mark.role("proxy")]


def test_second_2xx_is_forwarded(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE forked by the DUT to A and B, both ring; A answers 200 (the UAC gets it and ACKs it);
    B answers its CANCEL, if one comes, with 200, and its INVITE with 200. Expectation: B's 200 reaches the
    UAC within 10*T1 (at least 1 s)."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2))
    a, b = call.branches
    a.peer.respond(a.invite, 200, headers=[(MARK, a.name)])
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        first = await_final(call)
    assert first.status == 200 and relayed(first) == a.name, f"A's 200 was not forwarded: got {first.start_line!r}"
    sip_peer.ack(first)
    window = dut.timers.quiet
    try:
        cancel = cancel_received(b, within=window)
    except NoMessage:
        cancel = None
    if cancel is not None:
        with precondition(f"{b.name} can answer the DUT's CANCEL (RFC3261-9.1-4)"):
            answer_cancel(b, cancel)
    b.peer.respond(b.invite, 200, headers=[(MARK, b.name)])
    second = sip_peer.expect_response(call.invite, status=200, within=window)
    assert relayed(second) == b.name, f"the second 200 came from {relayed(second) or 'the DUT'}, not from B"
    sip_peer.ack(second)
