"""RFC 3261 §9.1 ¶6 (RFC3261-9.1-6, MUST NOT): "The CANCEL request MUST NOT contain any Require or
Proxy-Require header fields."

The CANCEL cannot be rejected for an extension (§8.2.2.3), so it must not ask for one, even when the
INVITE did.
"""

import pytest

from sipconform.scenario.uac import cancelled, finish
from sipconform.verify_uac import forbidden_headers

pytestmark = [pytest.mark.clause("RFC3261-9.1-6"), pytest.mark.role("uac")]


def test_cancel_has_no_require(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; the peer rings (180); the DUT hangs up.
    Expectation: the CANCEL carries neither Require nor Proxy-Require."""
    call, cancel = cancelled(sip_peer, upper_tester)
    finish(call, cancel)
    assert not (problems := forbidden_headers(cancel, ("require", "proxy-require"))), "; ".join(problems)
