"""RFC 3261 §18.2.1 ¶2 (RFC3261-18.2.1-1, MUST): "If the host portion of the "sent-by" parameter contains
a domain name, or if it contains an IP address that differs from the packet source address, the server
MUST add a "received" parameter to that Via header field value. This parameter MUST contain the source
address from which the packet was received."

Here: the proxy's server transport on the UAC side; seen in the UAC's Via at the top of the 18x the DUT relays
(the INVITE's Via as the DUT received it) and of its own 200 (CANCEL).
"""

import pytest

from sipconform.scenario.proxy import cancelled_responses
from sipconform.scenario.variants import with_sent_by

pytestmark = [pytest.mark.clause("RFC3261-18.2.1-1"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("host", ["127.0.0.3", "peer.sipconform.invalid"], ids=["other-ip", "domain-name"])
def test_responses_carry_received(sip_peer, sip_peer_factory, dut, host):
    """Stimulus: INVITE through the DUT whose Via sent-by host is another IP address than the packet's source
    (or a domain name), the port being the UAC's; the branch rings; the UAC cancels with that Via.
    Expectation: the top Via of the relayed 18x and of the 200 (CANCEL) has received=<the source address>."""
    seen, (source, _) = cancelled_responses(sip_peer, dut, sip_peer_factory, lambda i: with_sent_by(i, host=host))
    wrong = [f"{r.start_line!r} to the {r.cseq.method} has Via {r.top_via.text!r}"
             for r in seen if r.top_via.received != source]
    assert not wrong, f"no received={source} though the sent-by host is {host!r}: " + "; ".join(wrong)
