"""RFC 3261 §13.3.1.1 ¶2 (RFC3261-13.3.1.1-1, MUST): "To prevent cancellation, the UAS MUST send a non-100
provisional response at every minute, to handle the possibility of lost provisional responses."

Here: a proxy on the path gives up a branch that stays silent past its Timer C (> 3 min, §16.6 step 11) and
CANCELs it: a ringing UAS refreshes its 18x at least once a minute to keep the call. Over UDP only: the
cadence is the TU's, the same over any transport, and UDP is where a provisional gets lost; one run takes
two minutes of ringing.

Stimulus: INVITE to the ``ring`` target; the DUT rings; no CANCEL until two refreshes have come.
Expectation: after its first non-100 provisional, the next two each come within a minute (plus T1 for
scheduling) of the one before; then CANCEL. A final response before that ends the ringing: inconclusive.
"""

import pytest

from sipconform.scenario.uas import cancelled, final_response, ring, ringing_refreshes
from sipconform.sip.timers import PROVISIONAL_REFRESH_INTERVAL

pytestmark = [pytest.mark.clause("RFC3261-13.3.1.1-1"), pytest.mark.role("uas"), pytest.mark.transport("udp"),
              pytest.mark.slow]

REFRESHES = 2
"""Refreshes to see: two, so that the cadence (not one late 18x) is what is checked."""


def test_ringing_invite_gets_a_provisional_every_minute(sip_peer, dut, sip_timers):
    """Stimulus: INVITE; the DUT rings (18x); wait. Expectation: two more non-100 provisionals, each at most a
    minute + T1 after the previous one; the call is then cancelled."""
    call = ring(sip_peer, dut)
    ringing_refreshes(call, PROVISIONAL_REFRESH_INTERVAL + sip_timers.t1, REFRESHES)
    cancelled(call)
    final_response(call)
