"""RFC 3261 §9.2 ¶5 (RFC3261-9.2-11, MUST): "This response is constructed following the procedures
described in Section 8.2.6 noting that the To tag of the response to the CANCEL and the To tag in the
response to the original request SHOULD be the same."

Here: the construction half (the tag equality is RFC3261-9.2-12): the 200 (CANCEL) has the CANCEL's
From, Call-ID, CSeq and Via (§8.2.6.2 ¶1), its To URI, and a To tag added (§8.2.6.2 ¶2).
"""

import pytest

from sipconform.flows.uas import cancel, ring
from sipconform.verdict import inconclusive, precondition
from sipconform.verify.messages import response_mirrors_request

pytestmark = [pytest.mark.clause("RFC3261-9.2-11"), pytest.mark.role("uas")]


@pytest.mark.parametrize("compact", [False, True], ids=["long-names", "compact-names"])
def test_cancel_200_is_built_per_8_2_6(sip_peer, dut, compact):
    """Stimulus: INVITE (long or compact header names); the DUT rings; its CANCEL.
    Expectation: the 200 copies the CANCEL's From, Call-ID, CSeq, Via and To URI, and adds a To tag."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut, compact=compact)
    request = cancel(call)
    response = sip_peer.expect_response(request, final=True)
    if response.status != 200:
        inconclusive(f"the CANCEL was answered {response.start_line!r}, not 200 (see RFC3261-9.2-10)")
    problems = response_mirrors_request(request, response)
    if response.to.uri != request.to.uri:
        problems.append(f"To URI {response.to.uri!r} differs from the CANCEL's {request.to.uri!r}")
    if not response.to.tag:
        problems.append(f"no To tag was added: {response.to.text!r}")
    assert not problems, "the 200 (CANCEL) is not built per §8.2.6: " + "; ".join(problems)
