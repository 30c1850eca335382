"""RFC 6026 §6 (RFC6026-6-1, MUST NOT): "An element sending or receiving a 2xx to an INVITE transaction
MUST NOT destroy any matching INVITE transaction state."

Here: within Timer L (64*T1) after its 2xx, the DUT's INVITE server transaction still exists, so a CANCEL
of that INVITE matches it (§9.2): it is answered 200, with no effect (RFC3261-9.2-7), not 481. Applies to
devices that declare ``rfc6026 = true`` in the profile's [capabilities]; for an RFC 3261-only device the
481 is expected and the clause does not apply.
"""

import pytest

from sipconform.flows.uas import CancelControl, ack_2xx, answered, end
from sipconform.sip import cancel_for
from sipconform.verdict import precondition
from sipconform.verify.cancel import cancel_answered_200

pytestmark = [pytest.mark.clause("RFC6026-6-1"), pytest.mark.role("uas"), pytest.mark.requires("rfc6026"),
              pytest.mark.requires(target="answer")]


def test_cancel_after_2xx_still_matches(sip_peer, dut):
    """Stimulus: INVITE answered 200 at once; before the ACK, the CANCEL of that INVITE.
    Expectation: the CANCEL is answered 200 (the transaction still exists), not 481 (refused while a
    plain CANCEL of a ringing call is refused too: inconclusive)."""
    with precondition("the DUT answers an INVITE at once"):
        call = answered(sip_peer, dut)
    request = cancel_for(call.invite)
    sip_peer.send(request)
    response = sip_peer.expect_response(request, final=True)
    ack_2xx(call)
    end(call)
    if response.status != 200:
        with precondition("a plain CANCEL gets 200 (RFC3261-9.2-10), so the refusal is the variant's doing"):
            assert not (refused := cancel_answered_200(CancelControl(sip_peer, dut).plain_answer())), refused[0]
    assert response.status == 200, (f"a CANCEL within Timer L of the 2xx got {response.start_line!r}: the INVITE "
                                    "transaction was destroyed")
