"""RFC 3261 §9.1 ¶3 (RFC3261-9.1-2, MUST): "The Request-URI, Call-ID, To, the numeric part of CSeq, and
From header fields in the CANCEL request MUST be identical to those in the request being cancelled,
including tags."

For an initial INVITE "including tags" means the From tag and no To tag: the tag a provisional response
added to To belongs to the early dialog, not to the INVITE (checklist, subtle point 1).
"""

import pytest

from sipconform.flows.uac import finish, ring_and_cancel
from sipconform.verdict import precondition, warn
from sipconform.verify.cancel_request import copies_the_request

pytestmark = [pytest.mark.clause("RFC3261-9.1-2"), pytest.mark.role("uac")]


@pytest.mark.parametrize("provisional", [180, 100], ids=["after-180-with-tag", "after-100"])
def test_cancel_copies_the_invite(sip_peer, upper_tester, provisional):
    """Stimulus: the DUT calls the peer; the peer answers a provisional (180 with a To tag, or 100 only);
    the DUT hangs up. Expectation: the CANCEL's Request-URI, Call-ID, From (with its tag), To (without the
    180's tag) and CSeq number are those of the INVITE."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester, provisional)
    finish(call, cancel)
    found = copies_the_request(call.invite, cancel)
    assert not found, found.text()
    if found.notes:
        warn("identical in meaning but not in writing: " + "; ".join(found.notes))
