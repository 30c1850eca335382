"""RFC 6228 §6 ¶2 (RFC6228-6-1, MUST): "When a forking proxy receives a non-2xx final response to an initial dialog
initiation request that it recognizes as terminating one or more early dialogs associated with the request, it
MUST generate and send a 199 response upstream for each of the terminated early dialogs that satisfy each of the
following conditions: [it does not forward the final at once; the UAC's request has Supported: 199 and no
Require: 100rel; no 199 of that early dialog was forwarded; no final was sent]."  (¶6: the 199 "MUST contain a
To header field tag parameter that identifies the terminated early dialog" and "a Reason header field that
contains the SIP response code of the response that triggered the 199 response".)

Applies to proxies that generate 199: profile ``[capabilities] rfc6228`` (false: not applicable; unset: tried,
no 199 is then inconclusive).
Stimulus: an INVITE with ``Supported: 199`` forked to two branches; both ring (180, each its To tag); one rejects
the call (486) while the other still rings; then the UAC cancels and the other branch answers 200 and 487.
Expectation: before the UAC cancels (within 10*T1 of the 486), a 199 with the rejecting branch's To tag and
``Reason: SIP;cause=486``.
"""

import pytest

from sipconform.flows.proxy import (await_cancel, await_final, cancel_upstream, downstream, end_branch, responses_seen,
                                    ringing)
from sipconform.verdict import Inconclusive, precondition
from sipconform.verify.reason import sip_causes

pytestmark = [pytest.mark.clause("RFC6228-6-1"), pytest.mark.role("proxy"), pytest.mark.requires("rfc6228")]


def test_199_for_the_early_dialog_a_rejection_ends(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: as above."""
    supported = dut.capabilities.rfc6228
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2), headers=[("Supported", "199")])
    rejecting, other = call.branches
    end_branch(rejecting, status=486)
    tag = rejecting.responses[0].to.tag

    def sent_199():
        return [r for r in responses_seen(sip_peer, call.invite) if r.status == 199]

    sip_peer.wait_until(lambda: bool(sent_199()), dut.timers.quiet)
    cancel_upstream(call)
    with precondition(f"the DUT sends {other.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        end_branch(other, await_cancel(other))
    with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
        await_final(call)
    got = sent_199()
    if not got and not supported:
        raise Inconclusive("no 199 came for the early dialog the 486 ended; the profile does not declare 199 "
                           "generation ([capabilities] rfc6228)")
    assert got, (f"the DUT sent no 199 for the early dialog (To tag {tag!r}) that the branch's 486 ended while the "
                 f"other branch still rang")
    mine = [r for r in got if r.to.tag == tag]
    assert mine, f"the 199 does not carry the ended early dialog's To tag {tag!r}: {[r.to.text for r in got]}"
    assert "486" in sip_causes(mine[0].header_values("reason")), (
        f"the 199 lacks Reason: SIP;cause=486 (got {mine[0].header_values('reason')})")
