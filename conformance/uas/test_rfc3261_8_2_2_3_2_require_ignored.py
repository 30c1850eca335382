"""RFC 3261 §8.2.2.3 ¶3 (RFC3261-8.2.2.3-2, MUST): "Note that Require and Proxy-Require MUST NOT be used
in a SIP CANCEL request ... These header fields MUST be ignored if they are present in these requests."
"""

import pytest

from sipconform.scenario.uas import assert_cancel_accepted, cancel, ring

pytestmark = [pytest.mark.clause("RFC3261-8.2.2.3-2"), pytest.mark.role("uas")]


@pytest.mark.parametrize("header", ["Require", "Proxy-Require"])
def test_require_in_cancel_is_ignored(sip_peer, dut, header):
    """Stimulus: INVITE; the DUT rings; its CANCEL carrying ``<header>: x-sipconform-unknown``.
    Expectation: the CANCEL is answered 200, not 420 (Bad Extension); refused while a plain CANCEL is
    refused too: inconclusive."""
    call = ring(sip_peer, dut)
    response = sip_peer.expect_response(cancel(call, extra=((header, "x-sipconform-unknown"),)), final=True)
    assert_cancel_accepted(sip_peer, dut, response, header,
                           f"a CANCEL with {header} was answered {response.start_line!r}; it must be ignored")
