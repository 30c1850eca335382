"""RFC 3261 §9.1 ¶4 (RFC3261-9.1-5, MUST): "If the request being cancelled contains a Route header field,
the CANCEL request MUST include that Route header field's values."

Inconclusive when the DUT's INVITE carries no Route. A lab makes it carry one by giving the DUT an
outbound proxy that is the peer itself: the peer listens on an ephemeral port, so the upper tester must
set it per call, e.g. an exec ``call`` argv passing ``{host}:{port}`` as the outbound proxy (a SIPp
scenario adds ``Route: <sip:[remote_ip]:[remote_port];lr>``, see fixtures/sipp/uac-cancel.xml), or a DUT
whose account has ``outbound`` set to a fixed address that forwards to the peer.
"""

import pytest

from sipconform.flows.uac import finish, ring_and_cancel
from sipconform.verdict import inconclusive, precondition
from sipconform.verify.cancel_request import carries_the_routes

pytestmark = [pytest.mark.clause("RFC3261-9.1-5"), pytest.mark.role("uac")]


def test_cancel_carries_the_invites_route(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer (through an outbound proxy = the peer, so the INVITE has a Route);
    the peer rings (180); the DUT hangs up. Expectation: the CANCEL has the INVITE's Route values, in
    the same order."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    finish(call, cancel)
    if not call.invite.routes:
        inconclusive("the DUT's INVITE has no Route header field (no outbound proxy configured): "
                     "nothing for the CANCEL to copy")
    assert not (problems := carries_the_routes(call.invite, cancel)), "; ".join(problems)
