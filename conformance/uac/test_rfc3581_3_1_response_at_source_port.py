"""RFC 3581 §3 ¶3 (RFC3581-3-1, MUST): "When the client sends the request, if the request is sent using UDP,
the client MUST be prepared to receive the response on the same IP address and port it used to populate the
source IP address and source port of the request."

Here: a DUT whose CANCEL asks for rport (an "rport" Via parameter, §3) is answered as §4 says a server does:
to the CANCEL's source address and port, with "received" and "rport" filled into the top Via. The DUT is
seen to take that 200: the CANCEL's retransmissions stop. It is first seen to retransmit the CANCEL at all
(a precondition); a DUT without rport leaves nothing to check (inconclusive).
"""

import pytest

from sipconform.flows.arrivals import arrival, await_copies, same_request
from sipconform.flows.uac import await_retransmission, finish, ring_and_cancel
from sipconform.sip import response_to
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3581-3-1"), pytest.mark.role("uac"), pytest.mark.transport("udp")]


def _with_rport(via, source):
    """``via`` (the request's top Via text) with received and rport filled as RFC 3581 §4 says."""
    params = [p for p in via.split(";")[1:] if p.split("=")[0].strip().lower() not in ("rport", "received")]
    return ";".join([via.split(";")[0], *params, f"received={source[0]}", f"rport={source[1]}"])


def test_cancel_200_to_source_port_taken(sip_peer, upper_tester, sip_timers):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; once the CANCEL (with rport) is
    retransmitted the peer answers it 200 at its source address, Via with received and rport filled.
    Expectation: no further retransmission of the CANCEL (T1/2 allowed for one in flight) within 4*T1."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    if not any(k.lower() == "rport" for k, _ in cancel.top_via.params):
        finish(call, cancel)
        inconclusive(f"the DUT's CANCEL does not ask for rport (Via {cancel.top_via.text!r}): nothing to check")
    with precondition("the DUT retransmits its unanswered CANCEL over UDP (RFC3261-17.1.2.2-1)"):
        await_retransmission(sip_peer, cancel)
    source = arrival(sip_peer, cancel).source
    ok = response_to(cancel, 200, to_tag=call.to_tag)
    ok = ok.set_header("Via", _with_rport(cancel.top_via.text, source))
    sip_peer.send(ok, to=source)
    sent_at = sip_peer.reactor.elapsed()
    seen = await_copies(sip_peer, same_request(cancel), 1_000, sip_timers.immediately)
    finish(call, cancel)
    late = [item for item in seen if item.time > sent_at + sip_timers.crossing]
    assert not late, (f"the DUT retransmitted its CANCEL {len(late)} time(s) after the 200 sent to its source "
                      f"address {source[0]}:{source[1]} with Via {ok.header('via')!r}: it did not take the response")
