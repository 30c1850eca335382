"""RFC 3261 §16.9 ¶2 (RFC3261-16.9-1, SHOULD NOT): "The proxy SHOULD NOT cancel any outstanding client
transactions associated with this response context due to this notification."  (¶1: "If the transport layer
notifies a proxy of an error when it tries to forward a request ...": here, when it tries to forward a response
upstream.)

Stimulus: the UAC sends its INVITE over TCP with a Via sent-by port where nothing listens; once the branch has
the forwarded INVITE, the UAC closes its connection; the branch sends 180, which the DUT cannot deliver (the
connection is gone and §18.2.2's new connection to the sent-by is refused).
Expectation: the DUT does not cancel the branch for 10*T1 because of that error.
"""

import pytest

from sipconform.flows.proxy import (cancels_after, downstream, end_branch, place_call, provisional, reach_branches,
                                    responses_seen, unreachable_sent_by)
from sipconform.verdict import Inconclusive, precondition, warn

pytestmark = [pytest.mark.clause("RFC3261-16.9-1"), pytest.mark.role("proxy"),
              pytest.mark.requires(transport="reliable")]


def test_branch_is_not_cancelled_when_a_response_cannot_go_upstream(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: no CANCEL at the branch within 10*T1 of the 180 (a SHOULD NOT)."""
    call = place_call(sip_peer, dut, downstream(sip_peer_factory), edit=unreachable_sent_by(sip_peer))
    with precondition("the DUT forwards the INVITE (RFC 3261 §16.6)"):
        reach_branches(call)
    sip_peer.close_connections()
    branch = call.branches[0]
    provisional(branch, 180)
    cancelled = bool(cancels_after(branch.peer, call.invite.call_id, dut.timers.quiet))
    end_branch(branch, status=486)
    if [r for r in responses_seen(sip_peer, call.invite) if r.status == 180]:
        raise Inconclusive("the branch's 180 reached the UAC: the DUT met no transport error upstream")
    if cancelled:
        warn("the DUT cancelled the branch after it could not send the branch's 180 upstream (a transport error "
             "toward the UAC); it should not cancel outstanding client transactions for that")
