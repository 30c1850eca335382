"""RFC 3261 §18.2.1 ¶2 (RFC3261-18.2.1-1, MUST): "If the host portion of the "sent-by" parameter contains
a domain name, or if it contains an IP address that differs from the packet source address, the server
MUST add a "received" parameter to that Via header field value. This parameter MUST contain the source
address from which the packet was received."

Here: the proxy's server transport on the UAC side; seen in the UAC's Via at the top of the 18x the DUT relays
(the INVITE's Via as the DUT received it) and of its own 200 (CANCEL).
"""

import pytest

from sipconform.flows.proxy import cancelled_call, downstream, relayed, ringing
from sipconform.flows.uas import sent_from
from sipconform.flows.variants import with_sent_by
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-18.2.1-1"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("host", ["127.0.0.3", "peer.sipconform.invalid"], ids=["other-ip", "domain-name"])
def test_responses_carry_received(sip_peer, sip_peer_factory, dut, host):
    """Stimulus: INVITE through the DUT whose Via sent-by host is another IP address than the packet's source
    (or a domain name), the port being the UAC's; the branch rings; the UAC cancels with that Via.
    Expectation: the top Via of the relayed 18x and of the 200 (CANCEL) has received=<the source address>."""
    with precondition("the call rings through the DUT and ends by CANCEL: the DUT answers the CANCEL "
                      "(RFC3261-16.10-4), cancels the branch (RFC3261-16.10-2) and sends a final (RFC3261-16.7-6a)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory), edit=lambda i: with_sent_by(i, host=host))
        request, response = cancelled_call(call)
    source, _ = sent_from(sip_peer, request)
    seen = [next(r for r in call.upstream if relayed(r)), response]
    wrong = [f"{r.start_line!r} to the {r.cseq.method} has Via {r.top_via.text!r}"
             for r in seen if r.top_via.received != source]
    assert not wrong, f"no received={source} though the sent-by host is {host!r}: " + "; ".join(wrong)
