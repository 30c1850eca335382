"""RFC 3261 §9.2 ¶1 (RFC3261-9.2-1, IMPL): "The TU determines the transaction to be cancelled by taking the
CANCEL request, and then assuming that the request method is anything but CANCEL or ACK and applying the
transaction matching procedures of Section 17.2.3. The matching transaction is the one to be cancelled."

Here: the proxy's TU; a CANCEL that matches the INVITE (by branch and sent-by, or by the RFC 2543 fields)
cancels its branches; one that does not, does not (it may be forwarded statelessly, §16.10, but never as
a CANCEL of the proxy's INVITE branch).
"""

import pytest

from sipconform.flows.proxy import await_cancel, cancels_after, downstream, end_branch, ringing
from sipconform.sip import cancel_for
from sipconform.verdict import precondition
from sipconform.verify.silence import no_cancel

pytestmark = [pytest.mark.clause("RFC3261-9.2-1"), pytest.mark.role("proxy")]


def _via(call, *, branch=None, host=None):
    top = call.invite.top_via
    sent_by = f"{host}:{top.port}" if host else top.sent_by
    params = "".join(f";{k}" + (f"={v}" if v is not None else "") for k, v in top.params if k.lower() != "branch")
    return f"{top.sent_protocol} {sent_by};branch={branch or top.branch}{params}"


VARIANTS = {
    # name: (RFC 2543 INVITE without the magic cookie?, how the CANCEL differs, should it match?)
    "exact": (False, lambda c: cancel_for(c.invite), True),
    "other-branch": (False, lambda c: cancel_for(c.invite).set_header("Via", _via(c, branch=c.uac.new_branch())),
                     False),
    "other-sent-by": (False, lambda c: cancel_for(c.invite).set_header("Via", _via(c, host="127.0.0.3")), False),
    "rfc2543-exact": (True, lambda c: cancel_for(c.invite), True),
    "rfc2543-other-from-tag": (True, lambda c: cancel_for(c.invite).set_header(
        "From", f"{c.invite.from_.without_tag()};tag=other{c.uac.new_tag()}"), False),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_cancel_cancels_the_matching_invite_only(sip_peer, sip_peer_factory, dut, variant):
    """Stimulus: INVITE through the DUT (RFC 3261 branch, or an RFC 2543 one without the magic cookie); the
    branch rings; the UAC sends a CANCEL that is exact or differs in the top Via's branch, its sent-by or
    (RFC 2543) the From tag. Expectation: a matching CANCEL makes the DUT CANCEL the branch; a
    non-matching one brings the branch no CANCEL for its INVITE within 10*T1 (at least 1 s)."""
    rfc2543, make, matches = VARIANTS[variant]

    def old_style(invite):
        return invite.set_header("Via", f"{invite.top_via.sent_protocol} {invite.top_via.sent_by};branch=2543."
                                        f"{sip_peer.new_tag()}") if rfc2543 else invite

    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory), edit=old_style)
    request = make(call)
    sip_peer.send(request, (dut.host, dut.port))
    branch = call.branches[0]
    if matches:
        with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
            cancel = await_cancel(branch)
        assert cancel.top_via.branch == branch.via.branch, "the DUT's CANCEL does not carry its INVITE's branch"
        end_branch(branch, cancel)
        return
    mine = branch.via.branch
    cancels = cancels_after(branch.peer, call.invite.call_id, dut.timers.quiet,
                            where=lambda m: m.top_via.branch == mine)
    problems = no_cancel(branch.name, cancels)
    assert not problems, problems[0]
