"""RFC 3261 §17.1.1.3 ¶2 (RFC3261-17.1.1.3-2, MUST): "The To header field in the ACK MUST equal the To header
field in the response being acknowledged, and therefore will usually differ from the To header field in the
original request by the addition of the tag parameter."
"""

import pytest

from sipconform.flows.proxy import cancel_and_ack, downstream
from sipconform.verdict import precondition
from sipconform.verify.ack import to_of_the_response

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.3-2"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("tag", ["same-as-180", "own-487-tag"])
def test_ack_for_487_has_the_487s_to(sip_peer, sip_peer_factory, dut, tag):
    """Stimulus: INVITE through the DUT; the branch rings (180 with a To tag); the UAC cancels; the branch
    answers 487 with the 180's tag (or with another, as a downstream proxy generating the 487 would).
    Expectation: the DUT's ACK has the 487's To, tag included."""
    with precondition("the DUT cancels each ringing branch and ACKs its 487 (RFC3261-16.10-2, RFC3261-17.1.1.2-1)"):
        ((branch, final, ack),) = cancel_and_ack(sip_peer, dut, downstream(sip_peer_factory),
                                                  to_tag=None if tag == "same-as-180" else "487-" + sip_peer.new_tag())
    found = to_of_the_response(final, ack)
    assert not found, f"the ACK's To {ack.to.text!r} is not the 487's {final.to.text!r}: {found.text()}"
