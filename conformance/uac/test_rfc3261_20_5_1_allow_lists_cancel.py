"""RFC 3261 §20.5 ¶2 (RFC3261-20.5-1, MUST): "All methods, including ACK and CANCEL, understood by the UA
MUST be included in the list of methods in the Allow header field, when present."

The DUT cancels calls, so it understands CANCEL: an Allow in its INVITE must list it (and ACK). An INVITE
without Allow leaves nothing to check: inconclusive.
"""

import pytest

from sipconform.flows.uac import finish, ring_and_cancel
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3261-20.5-1"), pytest.mark.role("uac")]


def test_allow_in_invite_lists_cancel(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up (so it is seen to send CANCEL).
    Expectation: every Allow value of the INVITE, taken together, lists CANCEL and ACK (case-sensitive)."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    finish(call, cancel)
    fields = call.invite.fields("allow")
    if not fields:
        inconclusive("the DUT's INVITE has no Allow header field: nothing to check")
    methods = {m.strip() for f in fields for m in f.value.split(",") if m.strip()}
    missing = [m for m in ("CANCEL", "ACK") if m not in methods]
    assert not missing, (f"the INVITE's Allow ({', '.join(f.value for f in fields)!r}) lacks {', '.join(missing)}, "
                         "which the DUT understands (it sends them)")
