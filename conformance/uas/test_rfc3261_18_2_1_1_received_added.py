"""RFC 3261 §18.2.1 ¶2 (RFC3261-18.2.1-1, MUST): "If the host portion of the "sent-by" parameter contains
a domain name, or if it contains an IP address that differs from the packet source address, the server
MUST add a "received" parameter to that Via header field value. This parameter MUST contain the source
address from which the packet was received."

Here: seen in the top Via of the DUT's 18x and of its 200 (CANCEL), which copy the request's (§8.2.6.2).
"""

import pytest

from sipconform.flows.uas import cancel, ring, sent_from
from sipconform.flows.variants import with_sent_by
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-18.2.1-1"), pytest.mark.role("uas")]


@pytest.mark.parametrize("host", ["127.0.0.3", "peer.sipconform.invalid"], ids=["other-ip", "domain-name"])
def test_responses_carry_received(sip_peer, dut, host):
    """Stimulus: INVITE whose Via sent-by host is another IP address than the packet's source (or a
    domain name), the port being the peer's; the DUT rings; CANCEL with that Via.
    Expectation: the top Via of the 18x and of the 200 (CANCEL) has received=<the source address>."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut, edit=lambda invite: with_sent_by(invite, host=host))
    request = cancel(call)
    response = sip_peer.expect_response(request, final=True)
    source = sent_from(sip_peer, request)[0]
    wrong = [f"{r.start_line!r} to the {r.cseq.method} has Via {r.top_via.text!r}"
             for r in (call.provisionals[-1], response) if r.top_via.received != source]
    assert not wrong, f"no received={source} though the sent-by host is {host!r}: " + "; ".join(wrong)
