"""RFC 3261 §17.1.1.3 ¶3 (RFC3261-17.1.1.3-4, MUST): "If the INVITE request whose response is being
acknowledged had Route header fields, those header fields MUST appear in the ACK."

Inconclusive when the DUT's INVITE carries no Route; how a lab makes it carry one: see RFC3261-9.1-5
(conformance/uac/test_rfc3261_9_1_5_cancel_route.py).
"""

import pytest

from sipconform.flows.uac import await_ack, ring_and_cancel, terminate
from sipconform.verdict import inconclusive, precondition
from sipconform.verify.ack import carries_the_routes

pytestmark = [pytest.mark.clause("RFC3261-17.1.1.3-4"), pytest.mark.role("uac")]


def test_ack_for_487_carries_the_invites_route(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer (through an outbound proxy = the peer, so the INVITE has a Route);
    180; the DUT hangs up; CANCEL answered 200, INVITE answered 487. Expectation: the ACK has the INVITE's
    Route values, in the same order."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    terminate(call, cancel)
    with precondition("the DUT ACKs the 487 to its cancelled INVITE (RFC3261-17.1.1.2-1)"):
        ack = await_ack(call)
    if not call.invite.routes:
        inconclusive("the DUT's INVITE has no Route header field (no outbound proxy configured): "
                     "nothing for the ACK to copy")
    assert not (problems := carries_the_routes(call.invite, ack)), "; ".join(problems)
