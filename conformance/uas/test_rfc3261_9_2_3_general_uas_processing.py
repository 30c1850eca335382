"""RFC 3261 §9.2 ¶3 (RFC3261-9.2-3, MUST): "A UAS first processes the CANCEL request according to the
general UAS processing described in Section 8.2." — which ignores header fields it does not understand
(§8.2.2: "unknown header fields ... MUST be ignored").
"""

import pytest

from sipconform.scenario.uas import assert_cancel_accepted, cancel, ring

pytestmark = [pytest.mark.clause("RFC3261-9.2-3"), pytest.mark.role("uas")]


def test_cancel_with_unknown_header_is_processed(sip_peer, dut):
    """Stimulus: INVITE; the DUT rings; CANCEL with an unknown extension header field.
    Expectation: the CANCEL is answered 200 (refused while a plain CANCEL is refused too: inconclusive)."""
    call = ring(sip_peer, dut)
    extra = (("X-Sipconform-Unknown", "opaque; param=\"a,b\""),)
    response = sip_peer.expect_response(cancel(call, extra=extra), final=True)
    assert_cancel_accepted(sip_peer, dut, response, "an unknown header field",
                           f"a CANCEL with an unknown header field got {response.start_line!r}")
