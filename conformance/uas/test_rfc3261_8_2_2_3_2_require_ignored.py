"""RFC 3261 §8.2.2.3 ¶3 (RFC3261-8.2.2.3-2, MUST): "Note that Require and Proxy-Require MUST NOT be used
in a SIP CANCEL request ... These header fields MUST be ignored if they are present in these requests."
"""

import pytest

from sipconform.flows.uas import CancelControl, cancel, ring
from sipconform.verdict import precondition
from sipconform.verify.cancel import cancel_answered_200

pytestmark = [pytest.mark.clause("RFC3261-8.2.2.3-2"), pytest.mark.role("uas")]


@pytest.mark.parametrize("header", ["Require", "Proxy-Require"])
def test_require_in_cancel_is_ignored(sip_peer, dut, header):
    """Stimulus: INVITE; the DUT rings; its CANCEL carrying ``<header>: x-sipconform-unknown``.
    Expectation: the CANCEL is answered 200, not 420 (Bad Extension); refused while a plain CANCEL is
    refused too: inconclusive."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    response = sip_peer.expect_response(cancel(call, extra=((header, "x-sipconform-unknown"),)), final=True)
    if response.status != 200:
        with precondition("a plain CANCEL gets 200 (RFC3261-9.2-10), so the refusal is the variant's doing"):
            assert not (refused := cancel_answered_200(CancelControl(sip_peer, dut).plain_answer())), refused[0]
    assert response.status == 200, f"a CANCEL with {header} was answered {response.start_line!r}; it must be ignored"
