"""RFC 3261 §8.1.3.3 ¶1 (RFC3261-8.1.3.3-1, SHOULD): "If more than one Via header field value is present in
a response, the UAC SHOULD discard the message."

Here: a 200 to the CANCEL with the DUT's Via on top and a second Via below it (as a proxy's response would
carry if the DUT were not the one that sent the request). Its top Via matches the CANCEL's transaction, so
only the rule above keeps it out. Over UDP the wire shows it: a discarded 200 leaves the CANCEL unanswered,
so its retransmissions go on. The DUT is first seen to retransmit the CANCEL at all (a precondition).
"""

import pytest

from sipconform.flows.arrivals import await_copies, same_request
from sipconform.flows.uac import await_retransmission, finish, resend, ring_and_cancel
from sipconform.sip import response_to
from sipconform.verdict import precondition, warn

pytestmark = [pytest.mark.clause("RFC3261-8.1.3.3-1"), pytest.mark.role("uac"), pytest.mark.transport("udp")]


def test_cancel_200_with_two_vias_discarded(sip_peer, upper_tester, sip_timers):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; once the CANCEL is retransmitted the peer
    sends it a 200 with a second Via value (below the DUT's) and watches 4*T1. Expectation: the CANCEL is
    retransmitted again (Timer E: 2*T1 after the first retransmission)."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    with precondition("the DUT retransmits its unanswered CANCEL over UDP (RFC3261-17.1.2.2-1)"):
        await_retransmission(sip_peer, cancel)
    ok = response_to(cancel, 200, to_tag=call.to_tag)
    ok = ok.insert_header(1 + ok.headers.index(ok.fields("via")[-1]), "Via",
                          f"SIP/2.0/{sip_peer.transport.upper()} {sip_peer.sent_by};branch={sip_peer.new_branch()}")
    resend(call, ok)
    sent_at = sip_peer.reactor.elapsed()
    seen = await_copies(sip_peer, same_request(cancel), 3, sip_timers.immediately)
    finish(call, cancel)
    if not [item for item in seen if item.time > sent_at + sip_timers.crossing]:
        warn(f"the DUT stopped retransmitting its CANCEL after a 200 with two Via values ({ok.header('via')!r} "
             "and another): it took the response instead of discarding it")
