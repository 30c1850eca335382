"""RFC 3261 §20 (RFC3261-20-2, MUST): ""Not applicable" means that the header field MUST NOT be present in
a request. If one is placed in a request by mistake, it MUST be ignored by the UAS receiving the
request."

Here: the receiver side, for header fields Tables 2 and 3 mark "-" for CANCEL (Require and Proxy-Require
are RFC3261-8.2.2.3-2): the CANCEL works as if they were not there.
"""

import pytest

from sipconform.scenario.uas import assert_cancel_accepted, cancel, final_response, ring

pytestmark = [pytest.mark.clause("RFC3261-20-2"), pytest.mark.role("uas")]

NOT_APPLICABLE = [
    ("Contact", "<sip:peer@192.0.2.1>"),
    ("m", "<sip:peer@192.0.2.1>"),
    ("Expires", "30"),
    ("Subject", "not applicable to CANCEL"),
    ("s", "not applicable to CANCEL"),
    ("Priority", "urgent"),
    ("Organization", "sipconform"),
    ("Accept", "application/sdp"),
    ("Alert-Info", "<http://www.example.com/sounds/moo.wav>"),
    ("In-Reply-To", "70710@saturn.bell-tel.com"),
]


@pytest.mark.parametrize(("name", "value"), NOT_APPLICABLE, ids=[n for n, _ in NOT_APPLICABLE])
def test_cancel_with_a_not_applicable_header_works(sip_peer, dut, name, value):
    """Stimulus: INVITE; the DUT rings; its CANCEL with ``<name>: <value>`` added.
    Expectation: the CANCEL is answered 200 and ends the INVITE with a non-2xx final response (refused
    while a plain CANCEL is refused too: inconclusive)."""
    call = ring(sip_peer, dut)
    response = sip_peer.expect_response(cancel(call, extra=((name, value),)), final=True)
    assert_cancel_accepted(sip_peer, dut, response, f"the not-applicable {name}",
                           f"a CANCEL with {name} was answered {response.start_line!r}; {name} must be ignored")
    final = final_response(call)
    assert final.status >= 300, f"the INVITE cancelled by a CANCEL with {name} was answered {final.start_line!r}"
