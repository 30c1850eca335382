"""RFC 3261 §17.1.2.2 ¶4 (RFC3261-17.1.2.2-2, MUST): "If Timer E fires while in the "Proceeding" state, the
request MUST be passed to the transport layer for retransmission, and Timer E MUST be reset with a value of T2
seconds."

Here: the client transaction of the CANCEL the proxy sends down a branch that answers it 100 only.
Stimulus: INVITE through the DUT; the branch rings; the UAC cancels; the branch answers the DUT's CANCEL 100
(Trying) at once and nothing more.
Expectation: the CANCEL is still retransmitted, and every gap between copies that follow the 100 is T2 of the
DUT (within -50 % / +50 % and 0.2 s), not the doubling T1 cadence of "Trying".
"""

import pytest

from sipconform.flows.proxy import (answer_cancel, await_ack, await_cancel, cancel_upstream, downstream, end_branch,
                                    requests_seen, ringing)
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-17.1.2.2-2"), pytest.mark.role("proxy"), pytest.mark.transport("udp")]


def test_cancel_answered_100_is_retransmitted_every_t2(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: at least two more copies within 2*T1 + 2*T2 (+50 %, +0.5 s), and each gap
    between copies that arrived after the 100 was sent is T2."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel_upstream(call)
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        cancel = await_cancel(branch)
    answer_cancel(branch, cancel, 100)
    trying_sent = branch.peer.reactor.elapsed()
    t2 = dut.timers.t2

    def after_100():
        return [r.time for r in requests_seen(branch.peer, "CANCEL", call.invite.call_id) if r.time > trying_sent]

    window = dut.timers.tolerance(dut.timers.settle + 2 * t2)
    branch.peer.wait_until(lambda: len(after_100()) >= 2, window)
    times = after_100()
    assert times, f"the DUT did not retransmit its CANCEL within {window:.2f} s of the branch's 100 (Proceeding)"
    assert len(times) >= 2, (f"the DUT retransmitted its CANCEL once in {window:.2f} s after the branch's 100; Timer E "
                             f"fires every T2 = {t2:g} s in Proceeding")
    for earlier, later in zip(times, times[1:], strict=False):
        assert 0.5 * t2 <= later - earlier <= 1.5 * t2 + 0.2, (
            f"after the branch's 100 the CANCEL was retransmitted {later - earlier:.3f} s after the previous copy; "
            f"in Proceeding Timer E is T2 = {t2:g} s")
    end_branch(branch, cancel)
    with precondition(f"the DUT ACKs {branch.name}'s final response (RFC3261-17.1.1.2-1)"):
        await_ack(call, branch)
