"""RFC 3261 §17.1.1.3 ¶4 (RFC3261-17.1.1.3-5, NOT RECOMMENDED): "Therefore, placement of bodies in ACK for
non-2xx is NOT RECOMMENDED, but if done, the body types are restricted to any that appeared in the INVITE,
assuming that the response to the INVITE was not 415."
"""

import pytest

from sipconform.flows.proxy import cancel_and_ack, downstream
from sipconform.verdict import precondition, warn
from sipconform.verify.ack import body_type

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.3-5"), pytest.mark.role("proxy")]

SDP = (b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       b"m=audio 9 RTP/AVP 0\r\n")


@pytest.mark.parametrize("offer", [False, True], ids=["invite-without-body", "invite-with-sdp"])
def test_ack_for_487_has_no_body(sip_peer, sip_peer_factory, dut, offer):
    """Stimulus: INVITE (with or without an SDP offer) through the DUT; the branch rings; the UAC cancels; the
    branch answers 200 and 487. Expectation: the DUT's ACK for the 487 has no body (a body: warn; a body of
    a type the INVITE did not carry: warn as well)."""
    with precondition("the DUT cancels each ringing branch and ACKs its 487 (RFC3261-16.10-2, RFC3261-17.1.1.2-1)"):
        ((branch, _final, ack),) = cancel_and_ack(sip_peer, dut, downstream(sip_peer_factory),
                                                  body=SDP if offer else b"")
    found = body_type(branch.invite, ack)
    assert not found, found.text()  # a NOT RECOMMENDED clause: a warn
    if found.notes:
        warn("; ".join(found.notes))
