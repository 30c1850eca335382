"""RFC 6026 §7.2 ¶1 (RFC6026-7.2-1, MUST): "If a 2xx response is received while the client INVITE state machine
is in the "Calling" or "Proceeding" states, it MUST transition to the "Accepted" state, pass the 2xx response to
the TU, and set Timer M to 64*T1."  (§7.2 ¶2 and §8.4: a 2xx received in "Accepted" is passed to the TU too.)

Here: the proxy's INVITE client transaction toward a branch that forks further: its CANCEL crosses two 2xx
of two UASs behind the branch (one branch, two To tags).
Stimulus: INVITE through the DUT; the branch rings; the UAC cancels; the branch answers the DUT's CANCEL 200,
then the INVITE 200 with To tag A and 200 with To tag B.
Expectation: the UAC receives both 2xx (relayed, both To tags) to its INVITE; it ACKs each.
"""

import pytest

from sipconform.flows.proxy import (MARK, answer_cancel, await_cancel, cancel_upstream, downstream, relayed,
                                    responses_seen, ringing)
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC6026-7.2-1"), pytest.mark.role("proxy")]


def test_both_2xx_of_a_forking_branch_reach_the_uac(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: both 2xx at the UAC within 10*T1 of the second (+1 s)."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel_upstream(call)
    branch = call.branches[0]
    assert branch.invite is not None
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        answer_cancel(branch, await_cancel(branch))
    tags = [branch.peer.new_tag(), branch.peer.new_tag()]
    for tag in tags:
        branch.peer.respond(branch.invite, 200, to_tag=tag, headers=[(MARK, branch.name)])

    def answered() -> set[str | None]:
        return {r.to.tag for r in responses_seen(sip_peer, call.invite) if 200 <= r.status < 300 and relayed(r)}

    sip_peer.wait_until(lambda: answered() >= set(tags), dut.timers.tolerance(dut.timers.quiet))
    missing = [t for t in tags if t not in answered()]
    for response in {r.to.tag: r for r in responses_seen(sip_peer, call.invite) if 200 <= r.status < 300}.values():
        sip_peer.ack(response)
    assert not missing, (f"the UAC got {len(tags) - len(missing)} of the branch's two 2xx (To tags {tags}); missing "
                         f"{missing}: every 2xx received by the INVITE client transaction goes to the TU and upstream")
