"""RFC 3261 §9 ¶4 (RFC3261-9-4, MUST): "A stateful proxy responds to a CANCEL, rather than simply forwarding
a response it would receive from a downstream element."
"""

import pytest

from sipconform.flows.proxy import (await_cancel, await_cancel_response, await_final, cancel_upstream, downstream,
                                    end_branch, relayed, responses_seen, ringing)
from sipconform.verdict import precondition
from sipconform.verify.messages import same_via

pytestmark = [pytest.mark.clause("RFC3261-9-4"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("downstream_answers", [False, True], ids=["downstream-silent", "downstream-answers"])
def test_uac_gets_the_proxys_own_200_to_cancel(sip_peer, sip_peer_factory, dut, downstream_answers):
    """Stimulus: INVITE through the DUT; the branch rings; the UAC sends CANCEL; the branch leaves the DUT's
    CANCEL unanswered (or answers it 200 after the UAC got its 200). Expectation: the UAC gets a 200 to its
    CANCEL that the DUT generated (not relayed from downstream), with the Via of the UAC's CANCEL; and
    never a second one relayed from downstream."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel = cancel_upstream(call)
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        downstream_cancel = await_cancel(branch)
    response = await_cancel_response(call, cancel)
    assert response.status == 200, f"the UAC's CANCEL was answered {response.start_line!r}, not 200"
    assert relayed(response) is None, f"the 200 to the UAC's CANCEL was relayed from {relayed(response)}"
    assert len(response.vias) == 1 and same_via(cancel.top_via, response.top_via, top=True), (
        f"the 200's Via {[v.text for v in response.vias]} is not the UAC's CANCEL Via {cancel.top_via.text!r}")
    if downstream_answers:
        end_branch(branch, downstream_cancel)
        with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
            await_final(call)
        sip_peer.reactor.run_for(dut.timers.immediately)
        from_downstream = [r.start_line for r in responses_seen(sip_peer, cancel) if relayed(r)]
        assert not from_downstream, (
            f"the downstream 200 to the DUT's CANCEL was relayed to the UAC too: {from_downstream}")
