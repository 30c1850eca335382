"""RFC 3261 §20 (RFC3261-20-2, MUST NOT): ""Not applicable" means that the header field MUST NOT be present in a
request."  Tables 2 and 3, CANCEL column "-": Accept, Accept-Encoding, Accept-Language, Alert-Info, Allow,
Contact, Content-Disposition, Content-Encoding, Content-Language, Content-Type, Expires, In-Reply-To,
MIME-Version, Organization, Priority, Proxy-Authorization, Proxy-Require, Reply-To, Require, Subject.

Here: the CANCEL the proxy generates down a branch, for an INVITE that carries many of them (a proxy passes
them on in the INVITE, §16.6; building the CANCEL from the INVITE must leave them out, §9.1).
Stimulus: the UAC's INVITE carries Accept, Alert-Info, Allow, Organization, Priority, Subject, Expires (long
enough not to end the call), Contact and an SDP body; the branch rings; the UAC cancels.
Expectation: the DUT's CANCEL carries none of the "-" header fields.
"""

import pytest

from sipconform.flows.proxy import await_cancel, cancel_upstream, downstream, end_branch, ringing
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-20-2"), pytest.mark.role("proxy")]

NOT_APPLICABLE = ("Accept", "Accept-Encoding", "Accept-Language", "Alert-Info", "Allow", "Contact",
                  "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Type", "Expires",
                  "In-Reply-To", "MIME-Version", "Organization", "Priority", "Proxy-Authorization", "Proxy-Require",
                  "Reply-To", "Require", "Subject")
INVITE_HEADERS = [("Accept", "application/sdp"), ("Alert-Info", "<http://www.example.com/sounds/moo.wav>"),
                  ("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS"), ("Organization", "sipconform"),
                  ("Priority", "normal"), ("Subject", "sipconform CANCEL header fields"), ("Expires", "3600"),
                  ("Content-Type", "application/sdp")]
SDP = (b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       b"m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")


def test_proxy_cancel_has_no_inapplicable_header_field(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: as above."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory), headers=INVITE_HEADERS, body=SDP)
    cancel_upstream(call)
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        cancel = await_cancel(branch)
    present = [name for name in NOT_APPLICABLE if cancel.has(name)]
    assert not present, (f"the DUT's CANCEL carries header field(s) not applicable to CANCEL (Table 2/3 '-'): "
                         f"{', '.join(f'{n}: {cancel.header(n)!r}' for n in present)}")
    end_branch(branch, cancel)
