"""RFC 3261 §9.2 ¶3 (RFC3261-9.2-4, IMPL): "However, since CANCEL requests are hop-by-hop and cannot be
resubmitted, they cannot be challenged by the server in order to get proper credentials in an
Authorization header field."

Here: a proxy that challenges INVITEs (407) must not challenge the CANCEL of an authorised INVITE. The
profile gives credentials as ``[capabilities] auth_user`` / ``auth_password``.
"""

import pytest

from sipconform.flows.proxy import (Branch, ProxiedCall, await_cancel, await_cancel_response, await_provisional,
                                    cancel_upstream, downstream, end_branch, place_call, provisional, reach_branches)
from sipconform.sip.auth import authorized_retry
from sipconform.verdict import Inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3261-9.2-4"), pytest.mark.role("proxy")]


def test_cancel_of_an_authorised_invite_is_not_challenged(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE through the DUT; the DUT challenges it (401/407); the UAC re-sends it with
    credentials; the branch rings; the UAC sends CANCEL without credentials. Expectation: the CANCEL is
    answered 200, never 401 or 407."""
    peers = downstream(sip_peer_factory)
    first = place_call(sip_peer, dut, peers)
    try:
        challenge = sip_peer.expect_response(first.invite, final=True, within=dut.timers.quiet)
    except AssertionError:
        raise Inconclusive("the DUT does not challenge INVITEs (no 401/407 within 10*T1)") from None
    if challenge.status not in (401, 407):
        raise Inconclusive(f"the DUT answered the INVITE {challenge.start_line!r}, not a 401/407 challenge")
    user, password = dut.capabilities.auth_user, dut.capabilities.auth_password
    if not user or password is None:
        raise Inconclusive("the DUT challenges INVITEs; the profile gives no [capabilities] auth_user/auth_password")
    invite = authorized_retry(first.invite, challenge, user=str(user), password=str(password),
                              branch=sip_peer.new_branch())
    sip_peer.send(invite, (dut.host, dut.port))
    call = ProxiedCall(sip_peer, dut, invite, [Branch(p) for p in peers])
    with precondition("the DUT forwards the INVITE (RFC 3261 §16.6)"):
        reach_branches(call)
    provisional(call.branches[0])
    with precondition("the UAC receives a provisional response through the DUT (RFC 3261 §16.7 step 5)"):
        await_provisional(call, relayed_from=call.branches[0])
    cancel = cancel_upstream(call)
    with precondition("the DUT answers the UAC's CANCEL (RFC3261-16.10-4)"):
        response = await_cancel_response(call, cancel)
    assert response.status not in (401, 407), f"the DUT challenged the CANCEL: {response.start_line!r}"
    assert response.status == 200, f"the CANCEL of an authorised ringing INVITE got {response.start_line!r}"
    branch = call.branches[0]
    with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
        end_branch(branch, await_cancel(branch))
