"""RFC 3261 §9.1 ¶3 (RFC3261-9.1-3, MUST): "A CANCEL constructed by a client MUST have only a single Via
header field value matching the top Via value in the request being cancelled."

Sent-protocol, sent-by and branch must be the INVITE's (the branch is how the server finds the INVITE,
§8.1.1.7, §17.2.3); other parameters that differ (e.g. rport) are reported as a warning.
"""

import pytest

from sipconform.scenario.uac import cancelled, finish
from sipconform.verdict import warn
from sipconform.verify_uac import Findings, same_top_via

pytestmark = [pytest.mark.clause("RFC3261-9.1-3"), pytest.mark.role("uac")]


def test_cancel_has_the_invites_top_via_only(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; the peer rings (180); the DUT hangs up.
    Expectation: the CANCEL has exactly one Via value, with the INVITE's sent-protocol, sent-by and branch."""
    call, cancel = cancelled(sip_peer, upper_tester)
    found = Findings()
    same_top_via(call.invite, cancel, found)
    finish(call, cancel)
    assert not found, found.text()
    if found.notes:
        warn("; ".join(found.notes))
