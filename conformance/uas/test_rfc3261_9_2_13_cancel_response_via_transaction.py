"""RFC 3261 §9.2 ¶5 (RFC3261-9.2-13, MUST): "The response to CANCEL is passed to the server transaction
for transmission." — so a retransmission of the CANCEL is answered by that transaction with the same
response, and causes no new processing.
"""

import pytest

from sipconform.flows.uas import await_final, cancel, is_final_to, ring
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-9.2-13"), pytest.mark.role("uas"), pytest.mark.transport("udp")]


def _answers_cancel(request):
    """A final response to ``request``, matched as a client transaction matches (§17.1.3: top Via branch
    and CSeq method), so a response with a broken field still counts as an answer (RFC3261-8.2.6.2-1 is
    where a broken field is judged)."""
    return lambda m: (getattr(m, "status", 0) >= 200 and m.cseq.method == "CANCEL"
                      and m.top_via.branch == request.top_via.branch)


def test_retransmitted_cancel_gets_the_same_response(sip_peer, dut, sip_timers):
    """Stimulus: INVITE; the DUT rings; CANCEL (not retransmitted by the peer); once answered, the
    identical CANCEL once more. Expectation: the same final response again (status and To tag), and no
    second, different final response to the INVITE. The INVITE not ended at once (RFC3261-9.2-8's
    "immediately"): inconclusive."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    request = cancel(call)
    first = sip_peer.expect_response(request, final=True)
    with precondition("the cancelled INVITE ends at once (RFC3261-9.2-8)"):
        final = await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
    sip_peer.send(bytes(request), sip_peer.source_of(first))
    answers = lambda: sip_peer.arrivals(_answers_cancel(request))  # noqa: E731
    sip_peer.wait_until(lambda: len(answers()) >= 2, within=sip_timers.immediately)
    assert len(answers()) >= 2, "a retransmitted CANCEL got no response: its server transaction did not answer"
    again = answers()[-1].message
    assert (again.status, again.to.tag) == (first.status, first.to.tag), (
        f"the retransmitted CANCEL got {again.status} tag {again.to.tag!r}, first {first.status} tag {first.to.tag!r}")
    other = [r for r in sip_peer.arrivals(is_final_to(call.invite)) if r.message.status != final.status]
    assert not other, f"the retransmitted CANCEL produced another final response: {other[0].first_line!r}"
