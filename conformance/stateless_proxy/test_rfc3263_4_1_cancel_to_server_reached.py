"""RFC 3263 §4 ¶3 (RFC3263-4-1, MUST): "Furthermore, a CANCEL for a particular SIP request MUST be sent to the
same SIP server that the SIP request was delivered to."

Here: a stateless proxy resolves the Request-URI's domain for each request (RFC 3263 §4.4), so it meets the
clause only by making the same choice every time. The suite's DNS server (profile ``[dns] server``) gives
the domain two SRV targets of equal priority (weights 1000 and 1001, as §4.4 recommends) and rotates their
order from answer to answer; over several calls the CANCEL must reach the target the call's INVITE reached.
Without a ``[dns] server`` in the profile the test is inconclusive.
"""

import pytest

from sipconform.flows.locating import STATELESS_CALLS, equal_priority_targets, stateless_call, where
from sipconform.verdict import precondition
from sipconform.verify.server_location import one_server_per_transaction

pytestmark = [pytest.mark.clause("RFC3263-4-1"), pytest.mark.role("stateless-proxy"),
              pytest.mark.requires(transport=("udp", "tcp"))]  # DNS fixture: SIP+D2U/D2T records only


def test_cancel_goes_to_the_server_the_invite_reached(sip_peer, sip_peer_factory, dut, sip_transport, sip_dns):
    """Stimulus: SRV t1 and t2 of equal priority (weights 1000 and 1001) for the test domain; STATELESS_CALLS
    calls for sip:uas@<test domain>, each: INVITE, the server it reaches rings, the UAC cancels, 200 and 487,
    the UAC ACKs (``stateless_call``). Expectation: every CANCEL reaches the server that got its call's INVITE,
    and no other."""
    targets = equal_priority_targets(sip_peer_factory, sip_dns, sip_transport)
    for n in range(1, STATELESS_CALLS + 1):
        with precondition(f"call {n}: the DUT forwards the INVITE and the CANCEL to servers the SRV records name "
                          "(RFC 3263 §4.4)"):
            call = stateless_call(sip_peer, dut, sip_dns, targets, sip_transport)
        problems = one_server_per_transaction(n, where(call.invite_at), call.stray("CANCEL"), str(call.delivery),
                                              method="CANCEL")
        assert not problems, problems[0]
