"""RFC 3581 §4 ¶2 (RFC3581-4-1, MUST): "When a server compliant to this specification (which can be a proxy
or UAS) receives a request, it examines the topmost Via header field value. If this Via header field
value contains an "rport" parameter with no value, it MUST set the value of the parameter to the source
port of the request." And: "the server MUST insert a "received" parameter containing the source IP
address that the request came from, even if it is identical to the value of the "sent-by" component."
"""

import pytest

from sipconform.flows.uas import cancel, ring, sent_from
from sipconform.flows.variants import with_sent_by
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3581-4-1"), pytest.mark.role("uas")]


def test_rport_gets_the_source_port(sip_peer, dut):
    """Stimulus: INVITE with ``;rport`` (no value) in its Via; the DUT rings; CANCEL with that Via.
    Expectation: the top Via of the 18x and of the 200 (CANCEL) has rport=<source port> and
    received=<source address>."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut, edit=lambda invite: with_sent_by(invite, rport=True))
    request = cancel(call)
    response = sip_peer.expect_response(request, final=True)
    host, port = sent_from(sip_peer, request)
    wrong = [f"{r.start_line!r} to the {r.cseq.method} has Via {r.top_via.text!r}"
             for r in (call.provisionals[-1], response)
             if (r.top_via.rport, r.top_via.received) != (str(port), host)]
    assert not wrong, f"rport not set to {port} (with received={host}): " + "; ".join(wrong)
