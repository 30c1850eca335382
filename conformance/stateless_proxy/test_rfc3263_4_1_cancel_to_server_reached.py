"""RFC 3263 §4 ¶3 (RFC3263-4-1, MUST): "Furthermore, a CANCEL for a particular SIP request MUST be sent to the
same SIP server that the SIP request was delivered to."

Here: a stateless proxy resolves the Request-URI's domain for each request (RFC 3263 §4.4), so it meets the
clause only by making the same choice every time. The suite's DNS server (profile ``[dns] server``) gives
the domain two SRV targets of equal priority (weights 1000 and 1001, as §4.4 recommends) and rotates their
order from answer to answer; over several calls the CANCEL must reach the target the call's INVITE reached.
Without a ``[dns] server`` in the profile the test is inconclusive.
"""

import pytest

from sipconform.scenario.locating import stateless_calls, where

pytestmark = [pytest.mark.clause("RFC3263-4-1"), pytest.mark.role("stateless-proxy")]


def test_cancel_goes_to_the_server_the_invite_reached(sip_peer, sip_peer_factory, dut, sip_transport, sip_dns):
    """Stimulus: six calls (STATELESS_CALLS) for sip:uas@<test domain>, SRV t1 and t2 of equal priority; the server
    the INVITE reaches rings; the UAC cancels. Expectation: every CANCEL reaches the server that got its
    call's INVITE, and no other."""
    def judge(n, call):
        assert not call.stray("CANCEL"), (
            f"call {n}: the INVITE was delivered to {where(call.invite_at)} but the DUT sent the CANCEL to "
            f"{', '.join(call.stray('CANCEL'))}, not to the server the INVITE was delivered to ({call.delivery})")

    stateless_calls(sip_peer, dut, sip_dns, sip_peer_factory, sip_transport, judge)
