"""RFC 3261 §8.2.6.2 ¶2 (RFC3261-8.2.6.2-3, MUST): "The same tag MUST be used for all responses to that
request, both final and provisional (again excepting the 100 (Trying))."

Here: the 487 that ends a cancelled INVITE carries the To tag of the 18x the DUT sent before it.
"""

import pytest

from sipconform.flows.uas import await_final, cancelled, ring
from sipconform.verdict import Inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3261-8.2.6.2-3"), pytest.mark.role("uas")]


def test_487_keeps_the_provisional_to_tag(sip_peer, dut, sip_timers):
    """Stimulus: INVITE; the DUT rings with a tagged 18x; CANCEL.
    Expectation: the INVITE's final response has the same To tag as the 18x."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut, until=lambda r: r.status > 100 and r.to.tag is not None)
    early_tag = call.to_tag
    with precondition("the DUT answers the CANCEL and ends the INVITE at once (RFC3261-9.2-10, RFC3261-9.2-8)"):
        cancelled(call, within=sip_timers.tolerance(sip_timers.immediately))
        final = await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
    if final.status < 300:
        raise Inconclusive(f"the DUT answered the INVITE {final.status} despite the CANCEL; no non-2xx to compare")
    assert final.to.tag == early_tag, (
        f"{final.status} To tag {final.to.tag!r} differs from the 18x To tag {early_tag!r}")
