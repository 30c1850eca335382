"""RFC 3263 §4.4 ¶1 (RFC3263-4.4-1, MUST): "When a server is contacted successfully, all retransmissions of the
request for the transaction, as well as ACK for a non-2xx final response, and CANCEL requests for that
transaction, MUST go to the same server."

Here: the suite's DNS server (profile ``[dns] server``) gives the Request-URI's domain two SRV targets of
equal priority (weights 1000 and 1001, as §4.4 recommends) and rotates their order from answer to answer, so
a stateless proxy that does not define a deterministic order scatters a transaction. Over UDP the server
stays silent until the UAC's INVITE retransmissions came through; it rings, the UAC cancels, the server
answers 487 and the UAC ACKs. Over several calls, every INVITE copy, the CANCEL and the ACK of a call must
reach one server. Without a ``[dns] server`` in the profile the test is inconclusive.
"""

import pytest

from sipconform.scenario.locating import stateless_calls, where

pytestmark = [pytest.mark.clause("RFC3263-4.4-1"), pytest.mark.role("stateless-proxy")]


def test_every_request_of_the_transaction_reaches_one_server(sip_peer, sip_peer_factory, dut, sip_transport,
                                                             sip_dns):
    """Stimulus: six calls (STATELESS_CALLS) for sip:uas@<test domain>, SRV t1 and t2 of equal priority: INVITE (and,
    over UDP, its retransmissions), ring, CANCEL, 487, ACK. Expectation: all the requests of a call reach the
    server its first INVITE reached."""
    def judge(n, call):
        assert not call.stray(), (
            f"call {n}: the INVITE was delivered to {where(call.invite_at)} but the DUT sent requests of the same "
            f"transaction to {', '.join(call.stray())} as well: {call.delivery}")

    stateless_calls(sip_peer, dut, sip_dns, sip_peer_factory, sip_transport, judge)
