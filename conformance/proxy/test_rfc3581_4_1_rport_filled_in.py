"""RFC 3581 §4 ¶2 (RFC3581-4-1, MUST): "When a server compliant to this specification (which can be a proxy
or UAS) receives a request, it examines the topmost Via header field value. If this Via header field
value contains an "rport" parameter with no value, it MUST set the value of the parameter to the source
port of the request." And: "the server MUST insert a "received" parameter containing the source IP
address that the request came from, even if it is identical to the value of the "sent-by" component."

Here: the proxy's server transport on the UAC side; seen in the UAC's Via at the top of the 18x the DUT relays
and of its own 200 (CANCEL).
"""

import pytest

from sipconform.flows.proxy import cancelled_call, downstream, relayed, ringing
from sipconform.flows.uas import sent_from
from sipconform.flows.variants import with_sent_by
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3581-4-1"), pytest.mark.role("proxy")]


def test_rport_gets_the_source_port(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE through the DUT with ``;rport`` (no value) in its Via; the branch rings; the UAC cancels
    with that Via. Expectation: the top Via of the relayed 18x and of the 200 (CANCEL) has rport=<source port>
    and received=<source address>."""
    with precondition("the call rings through the DUT and ends by CANCEL: the DUT answers the CANCEL "
                      "(RFC3261-16.10-4), cancels the branch (RFC3261-16.10-2) and sends a final (RFC3261-16.7-6a)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory), edit=lambda i: with_sent_by(i, rport=True))
        request, response = cancelled_call(call)
    host, port = sent_from(sip_peer, request)
    seen = [next(r for r in call.upstream if relayed(r)), response]
    wrong = [f"{r.start_line!r} to the {r.cseq.method} has Via {r.top_via.text!r}"
             for r in seen if (r.top_via.rport, r.top_via.received) != (str(port), host)]
    assert not wrong, f"rport not set to {port} (with received={host}): " + "; ".join(wrong)
