"""RFC 3261 §17.1.1.3 ¶2 (RFC3261-17.1.1.3-3, MUST): "The ACK MUST contain a single Via header field, and this
MUST be equal to the top Via header field of the original request. The CSeq header field in the ACK MUST
contain the same value for the sequence number as was present in the original request, but the method
parameter MUST be equal to "ACK"."
"""

import pytest

from sipconform.flows.proxy import LEGS, cancel_and_ack, downstream
from sipconform.flows.proxy_profile import downstream_transport
from sipconform.verdict import not_applicable, precondition, warn
from sipconform.verify.fields import Findings
from sipconform.verify.ack import via_and_cseq

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.3-3"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
@pytest.mark.parametrize("branches", [1, 2], ids=["one-branch", "two-branches"])
def test_ack_for_487_has_one_via_and_cseq_ack(sip_peer, sip_peer_factory, dut, sip_transport, branches, legs):
    """Stimulus: INVITE through the DUT to 1 or 2 ringing branches; the UAC cancels; each branch answers 200 and
    487. Expectation: each ACK has exactly one Via, the top Via of that branch's INVITE, and CSeq 'n ACK' with
    the INVITE's number."""
    leg = downstream_transport(dut, sip_transport, legs)
    if leg is None:
        not_applicable(f"the DUT does not run both UDP and TCP, so it cannot forward {sip_transport.upper()} to the "
                       "other transport")
    peers = downstream(sip_peer_factory, branches, leg)
    with precondition("the DUT cancels each ringing branch and ACKs its 487 (RFC3261-16.10-2, RFC3261-17.1.1.2-1)"):
        acked = cancel_and_ack(sip_peer, dut, peers)
    found = Findings()
    for branch, _final, ack in acked:
        found.extend(via_and_cseq(branch.invite, ack), f"{branch.name}: ")
    assert not found, found.text()
    if found.notes:
        warn("; ".join(found.notes))
