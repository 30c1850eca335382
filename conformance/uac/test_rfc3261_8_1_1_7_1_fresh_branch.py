"""RFC 3261 §8.1.1.7 ¶3 (RFC3261-8.1.1.7-1, MUST): "The branch parameter value MUST be unique across space
and time for all requests sent by the UA.  The exceptions to this rule are CANCEL and ACK for non-2xx
responses.  As discussed below, a CANCEL request will have the same value of the branch parameter as the
request it cancels."

A call whose 2xx crosses the CANCEL makes the DUT send four requests: the INVITE, the CANCEL (the INVITE's
branch, the exception), the ACK for the 2xx and the BYE (each a transaction of its own: fresh branches).
Retransmissions of one request keep its branch.
"""

import pytest

from sipconform.flows.arrivals import await_request
from sipconform.flows.uac import answer, answer_bye, ring_and_cancel
from sipconform.sip import Request
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-8.1.1.7-1"), pytest.mark.role("uac")]


def test_every_new_request_has_a_fresh_branch(sip_peer, upper_tester, sip_timers):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; on its CANCEL the peer answers the INVITE
    200 (with SDP), then the CANCEL 200; the peer waits for the DUT's BYE (64*T1) and answers it.
    Expectation: the INVITE, the ACK for the 2xx and the BYE have three different branches."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    answer(call, 200)
    sip_peer.respond(cancel, 200)
    of_call = lambda r: r.call_id == call.invite.call_id  # noqa: E731
    with precondition("the DUT ACKs the 2xx that crossed its CANCEL (RFC3261-13.2.2.4-1)"):
        _, ack = await_request([sip_peer], "ACK", within=sip_timers.h, where=of_call)
    bye = answer_bye(call, within=sip_timers.b)
    with precondition("the DUT ends the call with BYE after the 2xx that crossed its CANCEL (RFC3261-15-1)"):
        assert bye is not None, f"no BYE within {sip_timers.b:.3g} s"
    sent: list[Request] = [call.invite, ack, bye]
    branches = [r.top_via.branch for r in sent]
    reused = [f"the {b.method} has the {a.method}'s branch {a.top_via.branch!r}"
              for i, a in enumerate(sent) for b in sent[i + 1:] if a.top_via.branch == b.top_via.branch]
    assert not reused, "; ".join(reused) + f" (branches: {branches}); only a CANCEL and the ACK for a non-2xx " \
                                           "may repeat one"
