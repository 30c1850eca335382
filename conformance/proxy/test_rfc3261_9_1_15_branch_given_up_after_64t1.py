"""RFC 3261 §9.1 ¶10 (RFC3261-9.1-15, SHOULD): "If there is no final response for the original request in
64*T1 seconds (T1 is defined in Section 17.1.1.1), the client SHOULD then consider the original transaction
cancelled and SHOULD destroy the client transaction handling the original request."

Here: the proxy's branch answers the CANCEL but, like an RFC 2543 UAS, never sends 487. Once the proxy
considers that branch cancelled, its response context has no client transaction left and the UAC gets a
final response (§16.7 step 6). The 64*T1 interval is read from the DUT's CANCEL.
"""

import pytest

from sipconform.flows.proxy import answer_cancel, await_cancel, cancel_upstream, downstream, ringing
from sipconform.verdict import precondition, warn

pytestmark = [pytest.mark.clause("RFC3261-9.1-15"), pytest.mark.role("proxy"), pytest.mark.slow]


def test_branch_without_487_is_given_up_after_64_t1(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE through the DUT; the branch rings; the UAC cancels; the branch answers the DUT's
    CANCEL 200 and never answers the INVITE. Expectation: within 64*T1 of the DUT's CANCEL (+10*T1, at least
    1 s) the UAC gets a final response to its INVITE."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel_upstream(call)
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        cancel = await_cancel(branch)
    started = sip_peer.reactor.now()
    answer_cancel(branch, cancel)
    limit = dut.timers.b + dut.timers.quiet
    try:
        final = sip_peer.expect_response(call.invite, final=True, within=limit)
    except AssertionError:
        warn(f"no final response reached the UAC within {limit:.1f} s of the DUT's CANCEL although the branch "
             f"never answered its INVITE (64*T1 = {dut.timers.b:g} s)")
    waited = sip_peer.reactor.now() - started
    assert final.status >= 300, f"the cancelled INVITE was answered {final.start_line!r} after {waited:.1f} s"
