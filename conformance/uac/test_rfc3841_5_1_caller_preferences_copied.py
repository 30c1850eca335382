"""RFC 3841 §5 ¶2 (RFC3841-5-1, MUST): "The Accept-Contact, Reject-Contact, and Request-Disposition header
fields in an ACK for a non-2xx final response, or in a CANCEL request, MUST be equal to the values in the
original request being acknowledged or cancelled."

Compared value by value (a list split over several lines or joined in one is the same list). A DUT whose
INVITE carries none of the three leaves nothing to check: inconclusive.
"""

import pytest

from sipconform.flows.uac import await_ack, ring_and_cancel, terminate
from sipconform.sip.build import CALLER_PREFERENCES
from sipconform.sip.uri import split_outside_quotes
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3841-5-1"), pytest.mark.role("uac")]


def _values(request, name):
    return [v.strip() for f in request.fields(name) for v in split_outside_quotes(f.value, ",") if v.strip()]


def test_cancel_and_ack_copy_the_caller_preferences(sip_peer, upper_tester):
    """Stimulus: the whole §9.1 flow: 180, the DUT hangs up, CANCEL answered 200, 487, the DUT's ACK.
    Expectation: the CANCEL and the ACK carry the INVITE's Accept-Contact, Reject-Contact and
    Request-Disposition values, unchanged."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    terminate(call, cancel)
    with precondition("the DUT ACKs the 487 to its cancelled INVITE (RFC3261-17.1.1.2-1)"):
        ack = await_ack(call)
    wanted = {name: _values(call.invite, name) for name in CALLER_PREFERENCES}
    if not any(wanted.values()):
        inconclusive("the DUT's INVITE carries no Accept-Contact, Reject-Contact or Request-Disposition: "
                     "nothing to check")
    wrong = [f"the {r.method}'s {name} values {_values(r, name)} differ from the INVITE's {want}"
             for r in (cancel, ack) for name, want in wanted.items() if _values(r, name) != want]
    assert not wrong, "; ".join(wrong)
