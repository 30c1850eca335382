"""RFC 3261 §20 (RFC3261-20-2, MUST NOT): ""Not applicable" means that the header field MUST NOT be present
in a request."

Tables 2 and 3, CANCEL column "-": Accept, Accept-Encoding, Accept-Language, Alert-Info, Allow, Contact,
Content-Disposition, Content-Encoding, Content-Language, Content-Type, Expires, In-Reply-To, MIME-Version,
Organization, Priority, Proxy-Authorization, Proxy-Require, Reply-To, Require, Subject. Here the generator
side: the DUT's CANCEL carries none of them (compact forms included).
"""

import pytest

from sipconform.flows.uac import finish, ring_and_cancel
from sipconform.verdict import precondition
from sipconform.verify.fields import forbidden_headers

pytestmark = [pytest.mark.clause("RFC3261-20-2"), pytest.mark.role("uac")]

NOT_APPLICABLE_IN_CANCEL = (
    "Accept", "Accept-Encoding", "Accept-Language", "Alert-Info", "Allow", "Contact", "Content-Disposition",
    "Content-Encoding", "Content-Language", "Content-Type", "Expires", "In-Reply-To", "MIME-Version",
    "Organization", "Priority", "Proxy-Authorization", "Proxy-Require", "Reply-To", "Require", "Subject",
)


def test_cancel_has_no_not_applicable_header_field(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up. Expectation: none of the header fields
    Tables 2 and 3 mark "-" for CANCEL in its CANCEL."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    finish(call, cancel)
    found = forbidden_headers(cancel, NOT_APPLICABLE_IN_CANCEL)
    assert not found, "; ".join(found) + " (not applicable to CANCEL: MUST NOT be present)"
