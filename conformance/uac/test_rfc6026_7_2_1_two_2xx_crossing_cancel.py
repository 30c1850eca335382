"""RFC 6026 §7.2 ¶1 (RFC6026-7.2-1, MUST): "If a 2xx response is received while the client INVITE state
machine is in the "Calling" or "Proceeding" states, it MUST transition to the "Accepted" state, pass the 2xx
response to the TU, and set Timer M to 64*T1."

In "Accepted" every further 2xx is passed to the TU too (§8.4, forking): two 2xx with different To tags
crossing the CANCEL both reach the UAC core, which ACKs each (§13.2.2.4: MUST) and, its user having hung
up, ends each dialog with BYE (a missing BYE is a warning).
"""

import pytest

from sipconform.scenario.uac import answer, answer_bye, cancelled, copies
from sipconform.sip import Request
from sipconform.verdict import warn

pytestmark = [pytest.mark.clause("RFC6026-7.2-1"), pytest.mark.role("uac")]


def test_both_2xx_reach_the_core(sip_peer, upper_tester, sip_timers):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; on its CANCEL the peer answers the INVITE
    200 (To tag A) and 200 (To tag B, another fork), then the CANCEL 200. Expectation: an ACK for each 2xx
    (its To tag) within 64*T1; a BYE for each dialog (warning if missing)."""
    call, cancel = cancelled(sip_peer, upper_tester)
    first = answer(call, 200)
    second = answer(call, 200, to_tag=sip_peer.new_tag())
    sip_peer.respond(cancel, 200)
    tags = {first.to.tag, second.to.tag}

    def acked():
        return {item.message.to.tag for item in copies(sip_peer, lambda m: isinstance(m, Request)
                                                       and m.method == "ACK" and m.call_id == call.invite.call_id)}
    sip_peer.reactor.run_until(lambda: tags <= acked(), sip_peer.clock.now() + sip_timers.h)
    byes = {bye.to.tag for bye in iter(lambda: answer_bye(call, within=4 * sip_timers.t1), None)}
    missing = [tag for tag in (first.to.tag, second.to.tag) if tag not in acked()]
    assert not missing, (f"no ACK for the 2xx with To tag(s) {missing} within {sip_timers.h:.3g} s (ACKed: "
                         f"{sorted(acked(), key=str)}): each 2xx must be passed to the TU, which ACKs it")
    if not tags <= byes:
        warn(f"no BYE for the dialog(s) {sorted(tags - byes, key=str)} although the user had hung up")

