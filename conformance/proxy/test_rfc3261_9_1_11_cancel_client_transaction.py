"""RFC 3261 §9.1 ¶8 (RFC3261-9.1-11, MUST): "When the client decides to send the CANCEL, it creates a client
transaction for the CANCEL and passes it the CANCEL request along with the destination address, port, and
transport."

Observable: the proxy's CANCEL is a non-INVITE client transaction of its own (§17.1.2): over UDP it is
retransmitted (Timer E: T1, 2*T1, 4*T1 ... of the DUT) until answered; over TCP it is sent once; and the
INVITE client transaction of the branch goes on regardless (its 487 is ACKed).
"""

import pytest

from sipconform.scenario.proxy import (await_ack, await_cancel, cancel_upstream, downstream, end_branch, pause,
                                       quiet_window, requests_seen, ringing, wait_until)

pytestmark = [pytest.mark.clause("RFC3261-9.1-11"), pytest.mark.role("proxy")]


def test_unanswered_cancel_is_retransmitted_over_udp_only(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE through the DUT; the branch rings; the UAC cancels; the branch does not answer the
    DUT's CANCEL. Expectation: UDP: the CANCEL is sent at least 3 times within 7*T1 (+50 %, +0.5 s), the
    first gap at least T1/2; TCP: once only for 10*T1. Then the branch answers 200 and 487: the 487 is ACKed."""
    call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel_upstream(call)
    branch = call.branches[0]
    cancel = await_cancel(branch)

    def seen():
        return requests_seen(branch.peer, "CANCEL", call.invite.call_id)

    t1 = dut.timers.t1
    if branch.peer.transport == "udp":
        wait_until(branch.peer, lambda: len(seen()) >= 3, 7 * t1 * 1.5 + 0.5)
        copies = seen()
        assert len(copies) >= 3, (f"the unanswered CANCEL was sent {len(copies)} time(s) in {7 * t1 * 1.5 + 0.5:.2f} s "
                                  f"over UDP; Timer E (T1 = {t1:g} s) retransmits it at T1, 3*T1, 7*T1")
        gap = copies[1].time - copies[0].time
        assert gap >= t1 / 2, f"the first CANCEL retransmission came {gap:.3f} s after the CANCEL, before T1/2"
    else:
        pause(branch.peer, quiet_window(dut))
        assert len(seen()) == 1, f"the CANCEL was sent {len(seen())} times over TCP (no retransmission on TCP)"
    end_branch(branch, cancel)
    await_ack(call, branch)
