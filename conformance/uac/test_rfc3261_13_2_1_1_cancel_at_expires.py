"""RFC 3261 §13.2.1 ¶5 (RFC3261-13.2.1-1, SHOULD): "If the time indicated in the Expires header field is
reached and no final answer for the INVITE has been received, the UAC core SHOULD generate a CANCEL request
for the INVITE, as per Section 9."

Only a DUT that puts Expires into its INVITE can be checked (inconclusive otherwise, and when the value is
longer than the test waits: 64*T1). The peer rings and then stays silent; the upper tester does not hang up.
"""

import pytest

from sipconform.flows.arrivals import arrival, unparseable
from sipconform.flows.uac import answer, await_cancel, finish, place
from sipconform.peer import NoMessage
from sipconform.verdict import inconclusive, precondition, warn

pytestmark = [pytest.mark.clause("RFC3261-13.2.1-1"), pytest.mark.role("uac")]


def test_cancel_when_the_invite_expires(sip_peer, upper_tester, sip_timers):
    """Stimulus: the DUT calls the peer (its INVITE carrying Expires: N); the peer rings (180) and sends
    nothing more. Expectation: a CANCEL of the INVITE by N seconds (4*T1 allowed) after the INVITE came."""
    with precondition("the DUT sends an INVITE when the upper tester makes it call"):
        call = place(sip_peer, upper_tester)
    expires = call.invite.header("expires")
    if expires is None or not expires.strip().isdigit() or int(expires) > sip_timers.b:
        finish(call)
        inconclusive(f"the DUT's INVITE carries no Expires this test can wait for (Expires: {expires!r}; up to "
                     f"{sip_timers.b:.3g} s = 64*T1)")
    answer(call, 180)
    due = arrival(sip_peer, call.invite).time + int(expires)
    window = max(due + sip_timers.immediately - sip_peer.reactor.elapsed(), 0)
    try:
        cancel = await_cancel(call, within=window)
    except NoMessage as exc:
        finish(call)
        if unparseable(sip_peer, "CANCEL"):  # one came that the peer could not accept: its header's clause
            inconclusive(f"precondition not reached: the DUT sends a CANCEL the peer can accept: {exc}")
        warn(f"no CANCEL by {int(expires)} s (Expires) + {sip_timers.immediately:.3g} s after the INVITE, which was "
             "still ringing with no final response")
    finish(call, cancel)
