"""RFC 3261 §18.2.2 ¶2 (RFC3261-18.2.2-1, MUST): "If the "sent-protocol" is a reliable transport protocol
such as TCP or SCTP, or TLS over those, the response MUST be sent using the existing connection to the
source of the original request that created the transaction, if that connection is still open."

Here: the INVITE and its CANCEL are two transactions that came on two connections: each one's responses
go back on its own connection.
"""

import pytest

from sipconform.flows.uas import await_final, is_final_to, landing, ring
from sipconform.sip import cancel_for
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-18.2.2-1"), pytest.mark.role("uas"),
              pytest.mark.requires(transport="reliable")]


def test_each_transaction_answered_on_its_connection(sip_peer, sip_peer_factory, dut, sip_timers):
    """Stimulus: INVITE on connection c1; the DUT rings; its CANCEL (same Via) on a second connection c2,
    from another socket. Expectation: the 200 (CANCEL) comes on c2, the 487 on c1."""
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    with sip_peer_factory(name="second-connection") as other:
        request = cancel_for(call.invite)
        other.send(request, (dut.host, dut.port))
        with precondition("the CANCEL sent on a second connection gets a response"):
            peer, response = landing([other, sip_peer], request, sip_timers.f)
        assert peer is other, (f"{response.start_line!r} to the CANCEL came on the INVITE's connection, not on "
                               "the CANCEL's own")
        with precondition("the CANCEL on a second connection cancels the INVITE (see RFC3261-22.1-2)"):
            response = other.expect_response(request, final=True)
            assert response.status == 200, f"it was answered {response.start_line!r}"
        with precondition("the cancelled INVITE ends at once (RFC3261-9.2-8)"):
            final = await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
        misplaced = other.arrivals(is_final_to(call.invite))
    assert not misplaced, (f"{misplaced[0].first_line!r} to the INVITE came on the CANCEL's connection "
                           f"(the INVITE's own got {final.start_line!r})")
