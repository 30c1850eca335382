"""RFC 3261 §9.1 ¶3 (RFC3261-9.1-2, MUST): "The Request-URI, Call-ID, To, the numeric part of CSeq, and
From header fields in the CANCEL request MUST be identical to those in the request being cancelled,
including tags."

For an initial INVITE "including tags" means the From tag and no To tag: the tag a provisional response
added to To belongs to the early dialog, not to the INVITE (checklist, subtle point 1).
"""

import pytest

from sipconform.scenario.uac import cancelled, finish
from sipconform.sip.uri import uri_equal
from sipconform.verdict import warn
from sipconform.verify_uac import Findings, same_address

pytestmark = [pytest.mark.clause("RFC3261-9.1-2"), pytest.mark.role("uac")]


@pytest.mark.parametrize("provisional", [180, 100], ids=["after-180-with-tag", "after-100"])
def test_cancel_copies_the_invite(sip_peer, upper_tester, provisional):
    """Stimulus: the DUT calls the peer; the peer answers a provisional (180 with a To tag, or 100 only);
    the DUT hangs up. Expectation: the CANCEL's Request-URI, Call-ID, From (with its tag), To (without the
    180's tag) and CSeq number are those of the INVITE."""
    call, cancel = cancelled(sip_peer, upper_tester, provisional)
    invite = call.invite
    found = Findings()
    if not uri_equal(cancel.uri, invite.uri):
        found.problems.append(f"Request-URI {cancel.uri!r} differs from the INVITE's {invite.uri!r}")
    elif cancel.uri != invite.uri:
        found.notes.append(f"Request-URI {cancel.uri!r} is not written as the INVITE's {invite.uri!r}")
    if cancel.call_id != invite.call_id:
        found.problems.append(f"Call-ID {cancel.call_id!r} differs from the INVITE's {invite.call_id!r}")
    same_address("From", invite.header("from"), invite.from_.tag, cancel, "from_", found)
    same_address("To", invite.header("to"), invite.to.tag, cancel, "to", found)
    if cancel.cseq.number != invite.cseq.number:
        found.problems.append(f"CSeq number {cancel.cseq.number} differs from the INVITE's {invite.cseq.number}")
    finish(call, cancel)
    assert not found, found.text()
    if found.notes:
        warn("identical in meaning but not in writing: " + "; ".join(found.notes))
