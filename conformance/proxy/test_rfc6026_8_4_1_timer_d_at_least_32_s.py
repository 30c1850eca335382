"""RFC 6026 §8.4 (RFC6026-8.4-1, MUST; replaces RFC 3261 §17.1.1.2): "The client transaction MUST start Timer D
when it enters the "Completed" state for any reason, with a value of at least 32 seconds for unreliable
transports, and a value of zero seconds for reliable transports."

Here: the proxy's INVITE client transaction on a cancelled branch, over UDP; 32 s is 64*T1 at the default
T1, and the suite waits at the DUT's own pace (64*T1 of its profile).
Stimulus: INVITE through the DUT; the branch rings; the UAC cancels; the branch answers the DUT's CANCEL 200
and the INVITE 487, then sends that 487 again 2*T1, 16*T1 and 60*T1 after the first one.
Expectation: every copy is ACKed (the transaction is still "Completed" until Timer D).
"""

import pytest

from sipconform.flows.proxy import ack_again, await_ack, await_cancel, cancel_upstream, downstream, end_branch, ringing
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC6026-8.4-1"), pytest.mark.role("proxy"), pytest.mark.transport("udp"),
              pytest.mark.slow]


def test_487_copies_within_timer_d_are_acked(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: an ACK within 4*T1 (+0.5 s) of each copy."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel_upstream(call)
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        final = end_branch(branch, await_cancel(branch))
    with precondition(f"the DUT ACKs {branch.name}'s final response (RFC3261-17.1.1.2-1)"):
        await_ack(call, branch)
    timer_d, elapsed = dut.timers.d, 0.0
    for at in (timer_d / 32, timer_d / 4, timer_d * 15 / 16):  # early, a quarter in, just before Timer D ends
        acked = ack_again(call, branch, final, at - elapsed)
        assert acked, (f"the DUT did not ACK the branch's 487 sent again {at:.2f} s after the first: its INVITE client "
                       f"transaction left Completed before Timer D (at least 64*T1 = {dut.timers.d:g} s over UDP)")
        elapsed = at
