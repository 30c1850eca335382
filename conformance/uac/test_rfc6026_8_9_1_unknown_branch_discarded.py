"""RFC 6026 §8.9 (RFC6026-8.9-1, MUST, replacing RFC 3261 §18.1.2 ¶2): "Otherwise, any element other than a
stateless proxy MUST silently discard the response."

A response that matches no client transaction (§17.1.3: top Via branch and CSeq method) is discarded: a 487
and a 200 to CANCEL carrying a branch the DUT never used draw no ACK and no BYE, and do not end the call
(the real 487 afterwards is ACKed as usual).
"""

import pytest

from sipconform.flows.arrivals import copies
from sipconform.flows.uac import answer, await_ack, resend, ring_and_cancel
from sipconform.sip import Request, response_to
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC6026-8.9-1"), pytest.mark.role("uac")]


def _on_unknown_branch(request, status, to_tag, branch):
    """``request``'s response ``status`` whose top Via carries ``branch`` instead of the request's."""
    response = response_to(request, status, to_tag=to_tag)
    top = request.top_via
    return response.set_header("Via", top.text.replace(top.branch, branch))


def test_responses_with_an_unknown_branch_are_discarded(sip_peer, upper_tester, sip_timers):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; the peer sends a 200 to the CANCEL and a 487
    to the INVITE, both with a top Via branch the DUT never used, and watches 4*T1; then it answers the
    CANCEL 200 and the INVITE 487. Expectation: no ACK and no BYE within the 4*T1; the real 487 ACKed."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    branch = sip_peer.new_branch()
    resend(call, _on_unknown_branch(cancel, 200, call.to_tag, branch))
    resend(call, _on_unknown_branch(call.invite, 487, call.to_tag, branch))
    sip_peer.reactor.run_for(sip_timers.immediately)

    def acting(m):
        return isinstance(m, Request) and m.method in ("ACK", "BYE") and m.call_id == call.invite.call_id
    taken = copies(sip_peer, acting)
    sip_peer.respond(cancel, 200)
    answer(call, 487)
    with precondition("the DUT ACKs the 487 to its cancelled INVITE (RFC3261-17.1.1.2-1)"):
        await_ack(call, within=sip_timers.ack)
    assert not taken, (f"the DUT sent {taken[0].first_line!r} after responses whose branch {branch!r} matches "
                       "none of its transactions: they must be discarded")
