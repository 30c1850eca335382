"""RFC 3261 §17.1.1.3 ¶2 (RFC3261-17.1.1.3-1, MUST): "The ACK request constructed by the client transaction
MUST contain values for the Call-ID, From, and Request-URI that are equal to the values of those header
fields in the request passed to the transport by the client transaction (call this the "original request")."

Here: the proxy ACKs each branch's 487 itself, hop by hop; the original request is the INVITE it sent there.
"""

import pytest

from sipconform.flows.proxy import LEGS, cancel_and_ack, downstream
from sipconform.flows.proxy_profile import downstream_transport
from sipconform.verdict import not_applicable, precondition, warn
from sipconform.verify.fields import Findings
from sipconform.verify.ack import copies_the_invite

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.3-1"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
@pytest.mark.parametrize("branches", [1, 2], ids=["one-branch", "two-branches"])
def test_ack_for_487_has_the_invites_call_id_from_and_request_uri(sip_peer, sip_peer_factory, dut, sip_transport,
                                                                  branches, legs):
    """Stimulus: INVITE through the DUT to 1 or 2 ringing branches; the UAC cancels; each branch answers 200 and
    487. Expectation: each branch gets an ACK with the Call-ID, From (with tag) and Request-URI of its INVITE."""
    leg = downstream_transport(dut, sip_transport, legs)
    if leg is None:
        not_applicable(f"the DUT does not run both UDP and TCP, so it cannot forward {sip_transport.upper()} to the "
                       "other transport")
    peers = downstream(sip_peer_factory, branches, leg)
    with precondition("the DUT cancels each ringing branch and ACKs its 487 (RFC3261-16.10-2, RFC3261-17.1.1.2-1)"):
        acked = cancel_and_ack(sip_peer, dut, peers)
    found = Findings()
    for branch, _final, ack in acked:
        found.extend(copies_the_invite(branch.invite, ack), f"{branch.name}: ACK ")
    assert not found, found.text()
    if found.notes:
        warn("; ".join(found.notes))
