"""RFC 3261 §9.1 ¶8 (RFC3261-9.1-9, MUST): "rather, the client MUST wait for the arrival of a provisional
response before sending the request."

The hang-up came while the INVITE had no response: the CANCEL is due as soon as a provisional arrives, and
only then. Later than 2*T1 after the provisional is reported as a warning.
"""

import pytest

from sipconform.flows.arrivals import arrival, unparseable
from sipconform.flows.uac import answer, await_cancel, finish, silent_hang_up
from sipconform.peer import NoMessage
from sipconform.verdict import inconclusive, precondition, warn

pytestmark = [pytest.mark.clause("RFC3261-9.1-9"), pytest.mark.role("uac")]


def test_late_provisional_releases_the_cancel(sip_peer, upper_tester, sip_timers):
    """Stimulus: the DUT calls the peer, which sends no response; the DUT hangs up at once; after the
    RFC3261-9.1-8 window the peer sends 180. Expectation: the CANCEL comes after the 180, and only then
    (within 64*T1; within 2*T1 expected)."""
    with precondition("the DUT calls the peer when the upper tester makes it, and hangs up when told"):
        silent = silent_hang_up(sip_peer, upper_tester)
    call = silent.call
    if silent.cancels:
        finish(call)
        pytest.fail(f"the DUT did not wait: it sent a CANCEL at +{silent.cancels[0].time:.3f} s, before any "
                    "provisional response", pytrace=False)
    sent_at = sip_peer.reactor.elapsed()
    answer(call, 180)
    try:
        cancel = await_cancel(call)
    except NoMessage as exc:
        finish(call)
        if unparseable(sip_peer, "CANCEL"):  # a CANCEL came, one the peer could not accept: its header's clause
            inconclusive(f"precondition not reached: the DUT sends a CANCEL the peer can accept: {exc}")
        raise AssertionError(f"no CANCEL within {sip_timers.b:.3g} s (64*T1) after the 180, although the "
                             "DUT had hung up") from None
    delay = arrival(sip_peer, cancel).time - sent_at
    finish(call, cancel)
    if delay > sip_timers.settle:
        warn(f"the CANCEL came {delay:.3f} s after the 180 (more than 2*T1)")
