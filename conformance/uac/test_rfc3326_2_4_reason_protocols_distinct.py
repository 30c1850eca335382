"""RFC 3326 §2 ¶11 (RFC3326-2-4, MUST): "A SIP message MAY contain more than one Reason value (i.e.,
multiple Reason lines), but all of them MUST have different protocol values (e.g., one SIP and another
Q.850)."

Here: the DUT's CANCEL. Each value is also checked against the §2 ABNF (cause = 1*DIGIT, text =
quoted-string). Inconclusive when the CANCEL carries no Reason (Reason is optional, RFC3326-2-1).
"""

import pytest

from sipconform.flows.uac import finish, ring_and_cancel
from sipconform.verdict import inconclusive, precondition
from sipconform.verify.reason import distinct_protocols

pytestmark = [pytest.mark.clause("RFC3326-2-4"), pytest.mark.role("uac")]


def test_cancel_reason_values_have_distinct_protocols(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up.
    Expectation: the CANCEL's Reason values (if any) are well formed, each with its own protocol."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    finish(call, cancel)
    values = cancel.header_values("reason")
    if not values:
        inconclusive("the CANCEL carries no Reason header field: nothing to check")
    assert not (problems := distinct_protocols(values)), "; ".join(problems)
