"""RFC 3261 §9.1 ¶8 (RFC3261-9.1-8, MUST NOT): "If no provisional response has been received, the CANCEL
request MUST NOT be sent; rather, the client MUST wait for the arrival of a provisional response before
sending the request."

Here: the proxy's branch whose downstream peer has not answered at all when the UAC's CANCEL arrives.
"""

import pytest

from sipconform.flows.proxy import LEGS, cancel_upstream, cancels_after, downstream, ringing
from sipconform.flows.proxy_profile import downstream_transport
from sipconform.verdict import not_applicable, precondition
from sipconform.verify.silence import no_cancel

pytestmark = [pytest.mark.clause("RFC3261-9.1-8"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
@pytest.mark.parametrize("ring", [(None,), (180, None)], ids=["one-silent-branch", "ringing-and-silent-branch"])
def test_silent_branch_gets_no_cancel(sip_peer, sip_peer_factory, dut, sip_transport, ring, legs):
    """Stimulus: INVITE through the DUT to one branch that stays silent (no 100, no 180), or forked to a
    ringing and a silent branch; the UAC gets a provisional (the DUT's 100 or the relayed 180) and sends
    CANCEL. Expectation: the silent branch receives no CANCEL for 10*T1 of the DUT (at least 1 s)."""
    leg = downstream_transport(dut, sip_transport, legs)
    if leg is None:
        not_applicable(f"the DUT does not run both UDP and TCP, so it cannot forward {sip_transport.upper()} to the "
                       "other transport")
    peers = downstream(sip_peer_factory, len(ring), leg)
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, peers, ring=ring)
    cancel_upstream(call)
    silent = call.branches[-1]
    problems = no_cancel(silent.name, cancels_after(silent.peer, call.invite.call_id, dut.timers.quiet))
    assert not problems, problems[0]
