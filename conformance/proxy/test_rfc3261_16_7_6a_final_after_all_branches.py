"""RFC 3261 §16.7 step 6 (RFC3261-16.7-6a, MUST): "A stateful proxy MUST send a final response to a response
context's server transaction if no final responses have been immediately forwarded by the above rules and all
client transactions in this response context have been terminated."
"""

import pytest

from sipconform.flows.proxy import (LEGS, await_cancel, await_final, cancel_received, cancel_upstream, downstream,
                                    end_branch, relayed, responses_seen, ringing)
from sipconform.flows.proxy_profile import downstream_transport
from sipconform.peer import NoMessage
from sipconform.verdict import not_applicable, precondition

pytestmark = [pytest.mark.clause("RFC3261-16.7-6a"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
@pytest.mark.parametrize("branches", [1, 2, 3], ids=["one-branch", "two-branches", "three-branches"])
def test_one_final_once_every_branch_ended(sip_peer, sip_peer_factory, dut, sip_transport, branches, legs):
    """Stimulus: INVITE through the DUT to 1-3 ringing branches; the UAC cancels; every branch answers 200
    and 487. Expectation: the UAC gets exactly one final response, a non-2xx."""
    leg = downstream_transport(dut, sip_transport, legs)
    if leg is None:
        not_applicable(f"the DUT does not run both UDP and TCP, so it cannot forward {sip_transport.upper()} to the "
                       "other transport")
    peers = downstream(sip_peer_factory, branches, leg)
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, peers)
    cancel_upstream(call)
    for branch in call.branches:
        with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
            end_branch(branch, await_cancel(branch))
    final = await_final(call)
    assert final.status >= 300, f"the UAC got {final.start_line!r} although every branch answered 487"
    sip_peer.reactor.run_for(dut.timers.quiet)
    finals = {(r.status, r.to.tag) for r in responses_seen(sip_peer, call.invite) if r.status >= 200}
    assert len(finals) == 1, f"the UAC got {len(finals)} different final responses: {sorted(finals)}"


def test_final_after_a_603_and_a_cancelled_branch(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE forked to A and B, both ring; A answers 603; B answers 487 (to the DUT's CANCEL if one
    comes, else on its own after 10*T1). Expectation: the UAC gets exactly one final response, the 6xx (§16.7
    step 6: "It MUST choose from the 6xx class responses if any exist in the context")."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2))
    a, b = call.branches
    end_branch(a, status=603)
    try:
        cancel = cancel_received(b, within=dut.timers.quiet)
    except NoMessage:
        cancel = None
    with precondition(f"{b.name} can answer the DUT's CANCEL (RFC3261-9.1-4)"):
        end_branch(b, cancel)
    final = await_final(call)
    sip_peer.reactor.run_for(dut.timers.quiet)
    finals = {(r.status, r.to.tag) for r in responses_seen(sip_peer, call.invite) if r.status >= 200}
    assert len(finals) == 1, f"the UAC got {len(finals)} different final responses: {sorted(finals)}"
    assert 600 <= final.status < 700, (f"after A's 603 and B's 487 the UAC got {final.start_line!r} "
                                       f"(from {relayed(final) or 'the DUT'}), not the 6xx")
