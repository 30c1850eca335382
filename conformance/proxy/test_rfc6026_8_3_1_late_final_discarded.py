"""RFC 6026 §8.3 (RFC6026-8.3-1; replaces RFC 3261 §16.7 step 9): "If the server transaction is no longer
available to handle the transmission, the response is simply discarded."

Stimulus: INVITE through the DUT to a branch over TCP (the DUT's client transactions there end at once: Timer
D and K are zero on a reliable transport); the branch rings; the UAC cancels; the branch answers 200 and 487,
the UAC gets the 487 and ACKs it; after Timer I of the UAC's leg (T4 over UDP) the branch sends its 487 and
its 200 to the CANCEL again.
Expectation: the UAC receives neither copy: no second final to its INVITE, no response to its CANCEL from the
branch.
"""

import pytest

from sipconform.scenario.proxy import (answer_cancel, await_ack, await_cancel, cancel_upstream, downstream, end_branch,
                                       pause, quiet_window, relayed, resend, responses_seen, ringing, upstream_final)
from sipconform.verdict import NotApplicable

pytestmark = [pytest.mark.clause("RFC6026-8.3-1"), pytest.mark.role("proxy")]


def test_late_487_and_200_after_the_call_ended_are_discarded(sip_peer, sip_peer_factory, dut, sip_transport):
    """Stimulus: as above. Expectation: for 10*T1 after the copies, no further response to the UAC's INVITE and
    no relayed response to its CANCEL."""
    if "tcp" not in dut.transports:
        raise NotApplicable("the clause is exercised on a TCP branch and the DUT does not run TCP")
    call = ringing(sip_peer, dut, downstream(sip_peer_factory, 1, "tcp"))
    cancel = cancel_upstream(call)
    (branch,) = call.branches
    downstream_cancel = await_cancel(branch)
    ok = answer_cancel(branch, downstream_cancel)
    final = end_branch(branch)
    await_ack(call, branch)
    upstream_final(call)
    pause(sip_peer, max(dut.timers.i if sip_transport == "udp" else 0.0, quiet_window(dut)))
    before = len(responses_seen(sip_peer, call.invite))
    resend(branch, final)
    resend(branch, ok)
    pause(sip_peer, quiet_window(dut))
    late = [r.start_line for r in responses_seen(sip_peer, call.invite)[before:]]
    assert not late, f"the DUT forwarded the branch's late 487 after its server transaction ended: {late}"
    leaked = [r.start_line for r in responses_seen(sip_peer, cancel) if relayed(r)]
    assert not leaked, f"the DUT forwarded the branch's late 200 to its CANCEL: {leaked}"
