"""RFC 3261 §9.1 ¶3 (RFC3261-9.1-2, MUST): "The Request-URI, Call-ID, To, the numeric part of CSeq, and From
header fields in the CANCEL request MUST be identical to those in the request being cancelled, including
tags."

Here: the CANCEL a stateful proxy builds for each branch, compared with the INVITE it sent on that branch
(not the one it received): for an initial INVITE the To has no tag, so neither has the CANCEL.
"""

import pytest

from sipconform.flows.proxy import LEGS, await_cancel, cancel_upstream, downstream, end_branch, ringing
from sipconform.flows.proxy_profile import downstream_transport
from sipconform.sip.uri import uri_equal
from sipconform.verdict import not_applicable, precondition, warn

pytestmark = [pytest.mark.clause("RFC3261-9.1-2"), pytest.mark.role("proxy")]


@pytest.mark.parametrize("legs", LEGS, ids=["same-transport", "downstream-other-transport"])
@pytest.mark.parametrize("ring", [(180,), (100,), (180, 183)], ids=["180", "100-only", "forked-180-183"])
def test_cancel_copies_the_branch_invites_fields(sip_peer, sip_peer_factory, dut, sip_transport, ring, legs):
    """Stimulus: INVITE through the DUT to one branch (or forked to two); each branch sends the given
    provisional (180/183 with a To tag, or only 100); the UAC sends CANCEL. Expectation: each branch's
    CANCEL has the Request-URI, Call-ID, To, From (tags as in that INVITE: no To tag) and CSeq number of
    the INVITE the DUT sent on that branch."""
    leg = downstream_transport(dut, sip_transport, legs)
    if leg is None:
        not_applicable(f"the DUT does not run both UDP and TCP, so it cannot forward {sip_transport.upper()} to the "
                       "other transport")
    peers = downstream(sip_peer_factory, len(ring), leg)
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, peers, ring=ring)
    cancel_upstream(call)
    equivalent_only = []
    for branch in call.branches:
        with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
            cancel, invite = await_cancel(branch), branch.invite
        where = f"{branch.name}'s CANCEL"
        assert uri_equal(cancel.uri, invite.uri), f"{where}: Request-URI {cancel.uri!r}, INVITE had {invite.uri!r}"
        if cancel.uri != invite.uri:
            equivalent_only.append(f"{where}: Request-URI {cancel.uri!r} is equivalent to, not identical with, "
                                   f"{invite.uri!r}")
        assert cancel.call_id == invite.call_id, f"{where}: Call-ID {cancel.call_id!r}, INVITE had {invite.call_id!r}"
        assert (cancel.from_.uri, cancel.from_.tag) == (invite.from_.uri, invite.from_.tag), (
            f"{where}: From {cancel.from_.text!r}, INVITE had {invite.from_.text!r}")
        assert (cancel.to.uri, cancel.to.tag) == (invite.to.uri, invite.to.tag), (
            f"{where}: To {cancel.to.text!r}, INVITE had {invite.to.text!r} (a provisional's To tag must not be "
            f"copied into the CANCEL)")
        assert cancel.cseq.number == invite.cseq.number, (
            f"{where}: CSeq number {cancel.cseq.number}, INVITE had {invite.cseq.number}")
        end_branch(branch, cancel)
    if equivalent_only:
        warn("; ".join(equivalent_only))
