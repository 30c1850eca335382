"""RFC 3261 §18.2.2 ¶2 (RFC3261-18.2.2-1, MUST): "If the "sent-protocol" is a reliable transport protocol
such as TCP or SCTP, or TLS over those, the response MUST be sent using the existing connection to the
source of the original request that created the transaction, if that connection is still open."

Here: the proxy's server transactions on the UAC side: the INVITE and its CANCEL came on two connections;
each one's responses go back on its own connection.
"""

import pytest

from sipconform.flows.proxy import await_cancel, await_final, downstream, end_branch, ringing
from sipconform.scenario.uas import cancel_on_second_connection, is_final_to
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC3261-18.2.2-1"), pytest.mark.role("proxy"), pytest.mark.transport("tcp")]


def test_each_transaction_answered_on_its_connection(sip_peer, sip_peer_factory, dut, sip_timers):
    """Stimulus: INVITE through the DUT on connection c1; the branch rings; the CANCEL (same Via) on a second
    connection c2, from another socket; the branch answers 200 and 487.
    Expectation: the 200 (CANCEL) comes on c2, the 487 on c1."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    with sip_peer_factory(name="second-connection") as other:
        cancel_on_second_connection(other, sip_peer, call.invite, (dut.host, dut.port), sip_timers.f)
        branch = call.branches[0]
        with precondition(f"the DUT sends {branch.name} a CANCEL it can answer (RFC3261-16.10-2)"):
            end_branch(branch, await_cancel(branch))
        with precondition("the UAC gets a final response to its INVITE (RFC3261-16.7-6a)"):
            final = await_final(call)
        misplaced = other.arrivals(is_final_to(call.invite))
    assert not misplaced, (f"{misplaced[0].first_line!r} to the INVITE came on the CANCEL's connection "
                           f"(the INVITE's own got {final.start_line!r})")
