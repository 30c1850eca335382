"""RFC 3261 §16.10 ¶2 (RFC3261-16.10-3, MAY): "A stateful proxy MAY generate CANCEL requests for pending INVITE
client transactions based on the period specified in the INVITE's Expires header field elapsing."

Informational: a proxy need not do it; if it does, the CANCEL must be one per §9.1 (built from the
branch's INVITE, sent only after a provisional).
"""

import pytest

from sipconform.flows.proxy import downstream, end_branch, requests_seen, ringing
from sipconform.verdict import precondition
from sipconform.verify.cancel_request import built_per_9_1

pytestmark = [pytest.mark.clause("RFC3261-16.10-3"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("ring", [(180,), (180, None)], ids=["ringing", "ringing-and-silent"])
def test_cancel_on_expires_if_any_is_well_formed(sip_peer, sip_peer_factory, dut, ring):
    """Stimulus: INVITE with ``Expires: 1`` through the DUT to a ringing branch (and a silent one); wait 1 s
    plus 10*T1 (at least 1 s). Expectation: either no CANCEL, or one per ringing branch built per §9.1; the
    silent branch gets none."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, len(ring)), ring=ring, headers=[("Expires", "1")])
    first = call.branches[0]
    first.peer.reactor.run_for(1.0 + dut.timers.quiet)
    for branch, status in zip(call.branches, ring, strict=False):
        cancels = [i.message for i in requests_seen(branch.peer, "CANCEL", call.invite.call_id)]
        if status is None:
            assert not cancels, f"{branch.name} got a CANCEL although it sent no provisional response"
        for cancel in cancels[:1]:
            found = built_per_9_1(branch.invite, cancel)
            assert not found, f"{branch.name}'s CANCEL after Expires: {found.text()}"
            end_branch(branch, cancel)
