"""RFC 3261 §16.10 ¶1 (RFC3261-16.10-2, MUST): "A proxy MUST cancel any pending client transactions
associated with a response context when it receives a matching CANCEL request."
"""

import pytest

from sipconform.scenario.proxy import (LEGS, await_cancel, cancel_upstream, check_cancels_invite, downstream,
                                       downstream_transport, end_branch, ringing, upstream_final)

pytestmark = [pytest.mark.clause("RFC3261-16.10-2"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
@pytest.mark.parametrize("branches", [1, 2, 3], ids=["one-branch", "two-branches", "three-branches"])
def test_cancel_reaches_every_ringing_branch(sip_peer, sip_peer_factory, dut, sip_transport, branches, legs):
    """Stimulus: the UAC's INVITE reaches 1-3 downstream peers through the DUT (forked for 2-3); each
    rings (180); the UAC sends CANCEL. Expectation: every branch receives a CANCEL for its INVITE."""
    peers = downstream(sip_peer_factory, branches, downstream_transport(dut, sip_transport, legs))
    call = ringing(sip_peer, dut, peers)
    cancel_upstream(call)
    missing = []
    for branch in call.branches:
        try:
            cancel = await_cancel(branch, judged=True)
        except AssertionError as exc:
            missing.append(f"{branch.name}: {exc}")
            continue
        check_cancels_invite(branch, cancel)
        end_branch(branch, cancel)
    assert not missing, "a pending branch got no CANCEL: " + "; ".join(missing)
    upstream_final(call)
