"""RFC 3261 §9.2 ¶3 (RFC3261-9.2-3, MUST): "A UAS first processes the CANCEL request according to the
general UAS processing described in Section 8.2." — which ignores header fields it does not understand
(§8.2.2: "unknown header fields ... MUST be ignored").
"""

import pytest

from sipconform.flows.uas import CancelControl, cancel, ring
from sipconform.verdict import precondition
from sipconform.verify.cancel import cancel_answered_200

pytestmark = [pytest.mark.clause("RFC3261-9.2-3"), pytest.mark.role("uas")]


def test_cancel_with_unknown_header_is_processed(sip_peer, dut):
    """Stimulus: INVITE; the DUT rings; CANCEL with an unknown extension header field.
    Expectation: the CANCEL is answered 200 (refused while a plain CANCEL is refused too: inconclusive)."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    extra = (("X-Sipconform-Unknown", "opaque; param=\"a,b\""),)
    response = sip_peer.expect_response(cancel(call, extra=extra), final=True)
    if response.status != 200:
        with precondition("a plain CANCEL gets 200 (RFC3261-9.2-10), so the refusal is the variant's doing"):
            assert not (refused := cancel_answered_200(CancelControl(sip_peer, dut).plain_answer())), refused[0]
    assert response.status == 200, f"a CANCEL with an unknown header field got {response.start_line!r}"
