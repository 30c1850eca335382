"""RFC 3261 §9.1 ¶6 (RFC3261-9.1-6, MUST NOT): "The CANCEL request MUST NOT contain any Require or
Proxy-Require header fields."

The CANCEL cannot be rejected for an extension (§8.2.2.3), so it must not ask for one, even when the
INVITE did.
"""

import pytest

from sipconform.flows.uac import finish, ring_and_cancel
from sipconform.verdict import precondition
from sipconform.verify.cancel_request import no_require

pytestmark = [pytest.mark.clause("RFC3261-9.1-6"), pytest.mark.role("uac")]


def test_cancel_has_no_require(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; the peer rings (180); the DUT hangs up.
    Expectation: the CANCEL carries neither Require nor Proxy-Require."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    finish(call, cancel)
    assert not (problems := no_require(cancel)), "; ".join(problems)
