"""RFC 3261 §20 (RFC3261-20-2, MUST): ""Not applicable" means that the header field MUST NOT be present in
a request. If one is placed in a request by mistake, it MUST be ignored by the UAS receiving the
request."

Here: the receiver side, for header fields Tables 2 and 3 mark "-" for CANCEL (Require and Proxy-Require
are RFC3261-8.2.2.3-2): the CANCEL works as if they were not there.
"""

import pytest

from sipconform.flows.uas import CancelControl, await_final, cancel, ring
from sipconform.verdict import precondition
from sipconform.verify.cancel import cancel_answered_200

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
def test_cancel_with_a_not_applicable_header_works(sip_peer, dut, sip_timers, name, value):
    """Stimulus: INVITE; the DUT rings; its CANCEL with ``<name>: <value>`` added.
    Expectation: the CANCEL is answered 200 and ends the INVITE with a non-2xx final response (refused
    while a plain CANCEL is refused too: inconclusive)."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    response = sip_peer.expect_response(cancel(call, extra=((name, value),)), final=True)
    if response.status != 200:
        with precondition("a plain CANCEL gets 200 (RFC3261-9.2-10), so the refusal is the variant's doing"):
            assert not (refused := cancel_answered_200(CancelControl(sip_peer, dut).plain_answer())), refused[0]
    assert response.status == 200, f"a CANCEL with {name} was answered {response.start_line!r}; {name} must be ignored"
    with precondition("the cancelled INVITE ends at once (RFC3261-9.2-8)"):
        final = await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
    assert final.status >= 300, f"the INVITE cancelled by a CANCEL with {name} was answered {final.start_line!r}"
