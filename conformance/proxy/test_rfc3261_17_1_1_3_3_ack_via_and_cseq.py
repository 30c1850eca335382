"""RFC 3261 §17.1.1.3 ¶2 (RFC3261-17.1.1.3-3, MUST): "The ACK MUST contain a single Via header field, and this
MUST be equal to the top Via header field of the original request. The CSeq header field in the ACK MUST
contain the same value for the sequence number as was present in the original request, but the method
parameter MUST be equal to "ACK"."
"""

import pytest

from sipconform.flows.proxy import LEGS, cancel_and_ack, downstream
from sipconform.flows.proxy_profile import downstream_transport
from sipconform.verdict import precondition
from sipconform.verify.proxy_cancel import same_via_value

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.3-3"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
@pytest.mark.parametrize("branches", [1, 2], ids=["one-branch", "two-branches"])
def test_ack_for_487_has_one_via_and_cseq_ack(sip_peer, sip_peer_factory, dut, sip_transport, branches, legs):
    """Stimulus: INVITE through the DUT to 1 or 2 ringing branches; the UAC cancels; each branch answers 200 and
    487. Expectation: each ACK has exactly one Via, the top Via of that branch's INVITE, and CSeq 'n ACK' with
    the INVITE's number."""
    peers = downstream(sip_peer_factory, branches, downstream_transport(dut, sip_transport, legs))
    with precondition("the DUT cancels each ringing branch and ACKs its 487 (RFC3261-16.10-2, RFC3261-17.1.1.2-1)"):
        acked = cancel_and_ack(sip_peer, dut, peers)
    for branch, _final, ack in acked:
        vias = [v.text for v in ack.vias]
        assert len(vias) == 1, f"{branch.name}: the ACK has {len(vias)} Via values {vias}"
        assert same_via_value(ack.top_via, branch.via), (
            f"{branch.name}: ACK Via {vias[0]!r}, INVITE Via {branch.via.text!r}")
        assert (ack.cseq.number, ack.cseq.method) == (branch.invite.cseq.number, "ACK"), (
            f"{branch.name}: ACK CSeq {ack.cseq}, INVITE CSeq {branch.invite.cseq}")
