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

from sipconform.scenario.proxy import (ack_again, await_ack, await_cancel, cancel_upstream, downstream, end_branch,
                                       ringing)

pytestmark = [pytest.mark.clause("RFC6026-8.4-1"), pytest.mark.role("proxy"), pytest.mark.transport("udp"),
              pytest.mark.slow]


def test_487_copies_within_timer_d_are_acked(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: an ACK within 4*T1 (+0.5 s) of each copy."""
    call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel_upstream(call)
    branch = call.branches[0]
    final = end_branch(branch, await_cancel(branch))
    await_ack(call, branch)
    t1, elapsed = dut.timers.t1, 0.0
    for at in (2 * t1, 16 * t1, 60 * t1):
        acked = ack_again(call, branch, final, at - elapsed)
        assert acked, (f"the DUT did not ACK the branch's 487 sent again {at:.2f} s after the first: its INVITE client "
                       f"transaction left Completed before Timer D (at least 64*T1 = {dut.timers.d:g} s over UDP)")
        elapsed = at
