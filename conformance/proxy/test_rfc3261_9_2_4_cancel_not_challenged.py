"""RFC 3261 §9.2 ¶3 (RFC3261-9.2-4, IMPL): "However, since CANCEL requests are hop-by-hop and cannot be
resubmitted, they cannot be challenged by the server in order to get proper credentials in an
Authorization header field."

Here: a proxy that challenges INVITEs (407) must not challenge the CANCEL of an authorised INVITE. The
profile gives credentials as ``[capabilities] auth_user`` / ``auth_password``.
"""

import pytest

from sipconform.scenario.proxy import (Branch, ProxiedCall, authorized_retry, await_cancel, cancel_answer,
                                       cancel_upstream, downstream, end_branch, place_call, provisional, quiet_window,
                                       reach_branches, upstream_provisional)
from sipconform.verdict import Inconclusive

pytestmark = [pytest.mark.clause("RFC3261-9.2-4"), pytest.mark.role("proxy")]


def test_cancel_of_an_authorised_invite_is_not_challenged(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE through the DUT; the DUT challenges it (401/407); the UAC re-sends it with
    credentials; the branch rings; the UAC sends CANCEL without credentials. Expectation: the CANCEL is
    answered 200, never 401 or 407."""
    peers = downstream(sip_peer_factory)
    first = place_call(sip_peer, dut, peers)
    try:
        challenge = sip_peer.expect_response(first.invite, final=True, within=quiet_window(dut))
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
    reach_branches(call)
    provisional(call.branches[0])
    upstream_provisional(call, relayed_from=call.branches[0])
    cancel = cancel_upstream(call)
    response = cancel_answer(call, cancel)
    assert response.status not in (401, 407), f"the DUT challenged the CANCEL: {response.start_line!r}"
    assert response.status == 200, f"the CANCEL of an authorised ringing INVITE got {response.start_line!r}"
    branch = call.branches[0]
    end_branch(branch, await_cancel(branch))
