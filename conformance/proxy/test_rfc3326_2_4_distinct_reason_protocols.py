"""RFC 3326 §2 ¶11 (RFC3326-2-4, MUST): "A SIP message MAY contain more than one Reason value (i.e., multiple
Reason lines), but all of them MUST have different protocol values (e.g., one SIP and another Q.850)."

Here: every CANCEL the proxy generates, after a CANCEL with two Reason values or after a 2xx on another
branch.
"""

import pytest

from sipconform.flows.proxy import MARK, await_cancel, await_final, cancel_upstream, downstream, end_branch, ringing
from sipconform.verdict import precondition
from sipconform.verify.reason import distinct_protocols

pytestmark = [pytest.mark.clause("RFC3326-2-4"), pytest.mark.role("proxy")]


def _protocols_distinct(cancel):
    problems = distinct_protocols(cancel.header_values("reason"))
    assert not problems, ("the DUT's CANCEL carries Reason values that are malformed or share the same protocol: "
                          + "; ".join(problems))


def test_cancel_after_two_reasons(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE forked to two ringing branches; the UAC's CANCEL carries a SIP and a Q.850 Reason.
    Expectation: in each CANCEL of the DUT all Reason values have different protocols."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2))
    cancel_upstream(call, extra=[("Reason", 'SIP;cause=200;text="Call completed elsewhere"'),
                                 ("Reason", "Q.850;cause=16")])
    for branch in call.branches:
        with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
            cancel = await_cancel(branch)
        end_branch(branch, cancel)
        _protocols_distinct(cancel)


def test_cancel_after_2xx_on_another_branch(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE forked to A and B, both ring; A answers 200. Expectation: in the DUT's CANCEL to B all
    Reason values (if any) have different protocols."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2))
    a, b = call.branches
    a.peer.respond(a.invite, 200, headers=[(MARK, a.name)])
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        sip_peer.ack(await_final(call))
    with precondition(f"the DUT sends {b.name} a CANCEL it can answer (RFC3261-16.7-10)"):
        cancel = await_cancel(b, within=dut.timers.quiet)
    end_branch(b, cancel)
    _protocols_distinct(cancel)
