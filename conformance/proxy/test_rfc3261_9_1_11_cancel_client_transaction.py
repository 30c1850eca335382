"""RFC 3261 §9.1 ¶8 (RFC3261-9.1-11, MUST): "When the client decides to send the CANCEL, it creates a client
transaction for the CANCEL and passes it the CANCEL request along with the destination address, port, and
transport."

Observable: the proxy's CANCEL is a non-INVITE client transaction of its own (§17.1.2): over UDP it is
retransmitted (Timer E: T1, 2*T1, 4*T1 ... of the DUT) until answered; over TCP it is sent once; and the
INVITE client transaction of the branch goes on regardless (its 487 is ACKed).
"""

import pytest

from sipconform.flows.proxy import (await_ack, await_cancel, cancel_upstream, downstream, end_branch, requests_seen,
                                    ringing)
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-9.1-11"), pytest.mark.role("proxy")]


def test_unanswered_cancel_is_retransmitted_over_udp_only(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE through the DUT; the branch rings; the UAC cancels; the branch does not answer the
    DUT's CANCEL. Expectation: UDP: the CANCEL is sent at least 3 times within 7*T1 (+50 %, +0.5 s), the
    first gap at least T1/2; TCP: once only for 10*T1. Then the branch answers 200 and 487: the 487 is ACKed."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel_upstream(call)
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        cancel = await_cancel(branch)

    def seen():
        return requests_seen(branch.peer, "CANCEL", call.invite.call_id)

    t1 = dut.timers.t1
    if branch.peer.transport == "udp":
        window = dut.timers.tolerance(dut.timers.transmissions(4))  # T1, 3*T1, 7*T1
        branch.peer.wait_until(lambda: len(seen()) >= 3, window)
        copies = seen()
        assert len(copies) >= 3, (f"the unanswered CANCEL was sent {len(copies)} time(s) in {window:.2f} s "
                                  f"over UDP; Timer E (T1 = {t1:g} s) retransmits it at T1, 3*T1, 7*T1")
        gap = copies[1].time - copies[0].time
        assert gap >= t1 / 2, f"the first CANCEL retransmission came {gap:.3f} s after the CANCEL, before T1/2"
    else:
        branch.peer.reactor.run_for(dut.timers.quiet)
        assert len(seen()) == 1, f"the CANCEL was sent {len(seen())} times over TCP (no retransmission on TCP)"
    end_branch(branch, cancel)
    with precondition(f"the DUT ACKs {branch.name}'s final response (RFC3261-17.1.1.2-1)"):
        await_ack(call, branch)
