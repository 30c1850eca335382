"""RFC 6026 §7.2 ¶1 (RFC6026-7.2-1, MUST): "If a 2xx response is received while the client INVITE state
machine is in the "Calling" or "Proceeding" states, it MUST transition to the "Accepted" state, pass the 2xx
response to the TU, and set Timer M to 64*T1."

In "Accepted" every further 2xx is passed to the TU too (§8.4, forking): two 2xx with different To tags
crossing the CANCEL both reach the UAC core, which ACKs each (§13.2.2.4: MUST); its BYEs (its user having
hung up) are answered and left to RFC3261-15-1.
"""

import pytest

from sipconform.flows.arrivals import copies
from sipconform.flows.uac import answer, answer_bye, ring_and_cancel
from sipconform.sip import Request
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC6026-7.2-1"), pytest.mark.role("uac")]


def test_both_2xx_reach_the_core(sip_peer, upper_tester, sip_timers):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; on its CANCEL the peer answers the INVITE
    200 (To tag A) and 200 (To tag B, another fork), then the CANCEL 200. Expectation: an ACK for each 2xx
    (its To tag) within 64*T1 (a DUT that ACKs neither is inconclusive: RFC3261-13.2.2.4-1)."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    first = answer(call, 200)
    second = answer(call, 200, to_tag=sip_peer.new_tag())
    sip_peer.respond(cancel, 200)
    tags = {first.to.tag, second.to.tag}

    def acked():
        return {item.message.to.tag for item in copies(sip_peer, lambda m: isinstance(m, Request)
                                                       and m.method == "ACK" and m.call_id == call.invite.call_id)}
    sip_peer.wait_until(lambda: tags <= acked(), sip_timers.h)
    for _ in iter(lambda: answer_bye(call, within=sip_timers.immediately), None):
        pass  # the BYEs that end both dialogs (§15: RFC3261-15-1 judges them) are answered, not judged here
    missing = [tag for tag in (first.to.tag, second.to.tag) if tag not in acked()]
    if not acked():
        inconclusive(f"precondition not reached: the DUT ACKs a 2xx that crossed its CANCEL (RFC3261-13.2.2.4-1): "
                     f"it ACKed neither within {sip_timers.h:.3g} s, so whether each reached its TU cannot be seen")
    assert not missing, (f"no ACK for the 2xx with To tag(s) {missing} within {sip_timers.h:.3g} s (ACKed: "
                         f"{sorted(acked(), key=str)}): each 2xx must be passed to the TU, which ACKs it")
