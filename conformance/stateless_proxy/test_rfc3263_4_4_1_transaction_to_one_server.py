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

from sipconform.flows.locating import STATELESS_CALLS, equal_priority_targets, stateless_call, where
from sipconform.verdict import precondition
from sipconform.verify.server_location import one_server_per_transaction

pytestmark = [pytest.mark.clause("RFC3263-4.4-1"), pytest.mark.role("stateless-proxy"),
              pytest.mark.requires(transport=("udp", "tcp"))]  # DNS fixture: SIP+D2U/D2T records only


def test_every_request_of_the_transaction_reaches_one_server(sip_peer, sip_peer_factory, dut, sip_transport,
                                                             sip_dns):
    """Stimulus: SRV t1 and t2 of equal priority (weights 1000 and 1001) for the test domain; STATELESS_CALLS
    calls for sip:uas@<test domain>, each: INVITE (over UDP the server stays silent until three copies came),
    ring, CANCEL, 200 and 487, the UAC's ACK (``stateless_call``). Expectation: all the requests of a call reach
    the server its first INVITE reached."""
    targets = equal_priority_targets(sip_peer_factory, sip_dns, sip_transport)
    for n in range(1, STATELESS_CALLS + 1):
        with precondition(f"call {n}: the DUT forwards the INVITE and the CANCEL to servers the SRV records name "
                          "(RFC 3263 §4.4)"):
            call = stateless_call(sip_peer, dut, sip_dns, targets, sip_transport)
        problems = one_server_per_transaction(n, where(call.invite_at), call.stray(), str(call.delivery))
        assert not problems, problems[0]
