"""RFC 3261 §16.10 ¶1 (RFC3261-16.10-2, MUST): "A proxy MUST cancel any pending client transactions
associated with a response context when it receives a matching CANCEL request."
"""

import pytest

from sipconform.flows.proxy import LEGS, await_final, cancel_received, cancel_upstream, downstream, end_branch, ringing
from sipconform.flows.proxy_profile import downstream_transport
from sipconform.peer import NoMessage
from sipconform.verdict import not_applicable, precondition
from sipconform.verify.via_branch import cancels_invite

pytestmark = [pytest.mark.clause("RFC3261-16.10-2"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
@pytest.mark.parametrize("branches", [1, 2, 3], ids=["one-branch", "two-branches", "three-branches"])
def test_cancel_reaches_every_ringing_branch(sip_peer, sip_peer_factory, dut, sip_transport, branches, legs):
    """Stimulus: the UAC's INVITE reaches 1-3 downstream peers through the DUT (forked for 2-3); each
    rings (180); the UAC sends CANCEL. Expectation: every branch receives a CANCEL for its INVITE."""
    leg = downstream_transport(dut, sip_transport, legs)
    if leg is None:
        not_applicable(f"the DUT does not run both UDP and TCP, so it cannot forward {sip_transport.upper()} to the "
                       "other transport")
    peers = downstream(sip_peer_factory, branches, leg)
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, peers)
    cancel_upstream(call)
    problems = []
    for branch in call.branches:
        try:
            cancel = cancel_received(branch)
        except NoMessage as exc:
            problems.append(f"a pending branch got no CANCEL: {branch.name}: {exc}")
            end_branch(branch)
            continue
        problems += cancels_invite(branch.invite, cancel, at=branch.name)
        with precondition(f"{branch.name} can answer the DUT's CANCEL (RFC3261-9.1-4)"):
            end_branch(branch, cancel)
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        await_final(call)
    assert not problems, "; ".join(problems)
