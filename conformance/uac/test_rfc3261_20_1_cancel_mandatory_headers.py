"""RFC 3261 §20 (RFC3261-20-1, MUST): "A "mandatory" header field MUST be present in a request, and MUST be
understood by the UAS receiving the request."

Tables 2 and 3, CANCEL column: Call-ID, CSeq, From, Max-Forwards, To and Via are mandatory ("m");
Content-Length is mandatory over a stream transport ("t", §18.3, §20.14). A CANCEL lacking one is input the
peer refuses, so it is looked for among what the peer could not accept as well.
"""

import pytest

from sipconform.flows.uac import cancel_as_sent, ring
from sipconform.peer import Received
from sipconform.sip.transports import MESSAGE_FRAMED
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-20-1"), pytest.mark.role("uac")]

MANDATORY = ("Call-ID", "CSeq", "From", "Max-Forwards", "To", "Via")


def test_cancel_has_the_mandatory_header_fields(sip_peer, upper_tester, sip_transport):
    """Stimulus: the DUT calls the peer; the peer rings (180); the DUT hangs up. Expectation: the CANCEL has
    Call-ID, CSeq, From, Max-Forwards, To and Via; over TCP and TLS Content-Length too (a CANCEL the peer refused as
    malformed for lacking one fails too)."""
    with precondition("the DUT calls the peer when the upper tester makes it"):
        call = ring(sip_peer, upper_tester)
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        cancel = cancel_as_sent(call)
    if isinstance(cancel, Received):
        pytest.fail(f"the DUT's CANCEL lacks a mandatory header field: {cancel.error}", pytrace=False)
    required = MANDATORY + (("Content-Length",) if sip_transport not in MESSAGE_FRAMED else ())
    missing = [name for name in required if cancel.header(name) is None]
    assert not missing, f"the CANCEL lacks mandatory header field(s): {', '.join(missing)}"
