"""RFC 3841 §9.1 ¶5 (RFC3841-9.1-1, SHOULD NOT): "If a proxy receives a request with this parameter set to
"no-cancel", it SHOULD NOT CANCEL any outstanding branches upon receipt of a 2xx.  However, it would still send
CANCEL on any outstanding branches upon receipt of a 6xx."

Applies to proxies that implement RFC 3841 caller preferences: profile ``[capabilities] request_disposition``
(false: not applicable; unset: tried, a CANCEL is then inconclusive, since the header is optional to support).
Stimulus: an INVITE with ``Request-Disposition: no-cancel`` forked to two branches; both ring; one answers 200.
Expectation: the UAC gets the 200; the other branch gets no CANCEL for 10*T1; it then answers 486.
"""

import pytest

from sipconform.flows.proxy import MARK, await_final, cancels_after, downstream, end_branch, requests_seen, ringing
from sipconform.verdict import Inconclusive, precondition, warn

pytestmark = [pytest.mark.clause("RFC3841-9.1-1"), pytest.mark.role("proxy"),
              pytest.mark.requires("request_disposition")]


def test_no_cancel_directive_keeps_other_branches_after_2xx(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: as above."""
    supported = dut.capabilities.request_disposition
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2), headers=[("Request-Disposition", "no-cancel")])
    answering, other = call.branches
    assert answering.invite is not None
    answering.peer.respond(answering.invite, 200, headers=[(MARK, answering.name)])
    with precondition(f"the UAC gets {answering.name}'s 200 (RFC3261-16.7-5b)"):
        answer = await_final(call)
        assert answer.status == 200, f"the UAC got {answer.start_line!r} instead of the branch's 200"
    sip_peer.ack(answer)
    cancelled = bool(cancels_after(other.peer, call.invite.call_id, dut.timers.quiet))
    cancels = requests_seen(other.peer, "CANCEL", call.invite.call_id)
    end_branch(other, cancels[0].message if cancels else None, status=486)  # type: ignore[arg-type]
    if cancelled and not supported:
        raise Inconclusive("the DUT cancelled the other branch after a 2xx despite Request-Disposition: no-cancel; "
                           "the profile does not declare RFC 3841 support ([capabilities] request_disposition)")
    if cancelled:
        warn("the DUT cancelled the other branch after a 2xx although the INVITE carried Request-Disposition: "
             "no-cancel")
