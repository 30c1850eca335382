"""RFC 3261 §13.3.1.1 ¶2 (RFC3261-13.3.1.1-1, MUST): "To prevent cancellation, the UAS MUST send a non-100
provisional response at every minute, to handle the possibility of lost provisional responses."

Here: a proxy on the path gives up a branch that stays silent past its Timer C (> 3 min, §16.6 step 11) and
CANCELs it: a ringing UAS refreshes its 18x at least once a minute to keep the call. Over UDP only: the
cadence is the TU's, the same over any transport, and UDP is where a provisional gets lost; one run takes
two minutes of ringing.

Stimulus: INVITE to the ``ring`` target; the DUT rings; no CANCEL until two refreshes have come.
Expectation: after its first non-100 provisional, the next two each come within a minute (plus T1 for
scheduling) of the one before; then (teardown) CANCEL. A final response before that ends the ringing: inconclusive.
"""

import pytest

from sipconform.flows.uas import await_refreshes, is_final_to, ring
from sipconform.sip.timers import PROVISIONAL_REFRESH_INTERVAL
from sipconform.verdict import inconclusive, precondition
from sipconform.verify.cancel import refresh_problems

pytestmark = [pytest.mark.clause("RFC3261-13.3.1.1-1"), pytest.mark.role("uas"), pytest.mark.transport("udp"),
              pytest.mark.slow]

REFRESHES = 2
"""Refreshes to see: two, so that the cadence (not one late 18x) is what is checked."""


def test_ringing_invite_gets_a_provisional_every_minute(sip_peer, dut, sip_timers):
    """Stimulus: INVITE; the DUT rings (18x); wait. Expectation: two more non-100 provisionals, each at most a
    minute + T1 after the previous one (the peer's teardown cancels the call)."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    limit = PROVISIONAL_REFRESH_INTERVAL + sip_timers.t1
    seen = await_refreshes(call, limit, REFRESHES)
    if seen[-1].message is not None and is_final_to(call.invite)(seen[-1].message):
        inconclusive(f"the DUT ended the ringing INVITE with {seen[-1].first_line!r} "
                     f"{seen[-1].time - seen[0].time:.3g} s after its 18x, before {REFRESHES} refreshes could be "
                     f"seen ({len(seen) - 2} seen)")
    problems = refresh_problems(seen, limit, REFRESHES)
    assert not problems, problems[0]
