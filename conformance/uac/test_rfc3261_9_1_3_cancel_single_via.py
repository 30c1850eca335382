"""RFC 3261 §9.1 ¶3 (RFC3261-9.1-3, MUST): "A CANCEL constructed by a client MUST have only a single Via
header field value matching the top Via value in the request being cancelled."

Sent-protocol, sent-by and branch must be the INVITE's (the branch is how the server finds the INVITE,
§8.1.1.7, §17.2.3); other parameters that differ (e.g. rport) are reported as a warning.
"""

import pytest

from sipconform.flows.uac import finish, ring_and_cancel
from sipconform.verdict import precondition, warn
from sipconform.verify.cancel_request import single_via

pytestmark = [pytest.mark.clause("RFC3261-9.1-3"), pytest.mark.role("uac")]


def test_cancel_has_the_invites_top_via_only(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; the peer rings (180); the DUT hangs up.
    Expectation: the CANCEL has exactly one Via value, with the INVITE's sent-protocol, sent-by and branch."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    finish(call, cancel)
    found = single_via(call.invite, cancel)
    assert not found, found.text()
    if found.notes:
        warn("; ".join(found.notes))
