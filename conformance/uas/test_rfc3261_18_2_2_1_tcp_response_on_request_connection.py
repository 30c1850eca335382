"""RFC 3261 §18.2.2 ¶2 (RFC3261-18.2.2-1, MUST): "If the "sent-protocol" is a reliable transport protocol
such as TCP or SCTP, or TLS over those, the response MUST be sent using the existing connection to the
source of the original request that created the transaction, if that connection is still open."

Here: the INVITE and its CANCEL are two transactions that came on two connections: each one's responses
go back on its own connection.
"""

import pytest

from sipconform.scenario.uas import cancel_on_second_connection, final_response, is_final_to, ring

pytestmark = [pytest.mark.clause("RFC3261-18.2.2-1"), pytest.mark.role("uas"),
              pytest.mark.requires(transport="reliable")]


def test_each_transaction_answered_on_its_connection(sip_peer, sip_peer_factory, dut, sip_timers):
    """Stimulus: INVITE on connection c1; the DUT rings; its CANCEL (same Via) on a second connection c2,
    from another socket. Expectation: the 200 (CANCEL) comes on c2, the 487 on c1."""
    call = ring(sip_peer, dut)
    with sip_peer_factory(name="second-connection") as other:
        cancel_on_second_connection(other, sip_peer, call.invite, (dut.host, dut.port), sip_timers.f)
        final = final_response(call)
        misplaced = other.arrivals(is_final_to(call.invite))
    assert not misplaced, (f"{misplaced[0].first_line!r} to the INVITE came on the CANCEL's connection "
                           f"(the INVITE's own got {final.start_line!r})")
