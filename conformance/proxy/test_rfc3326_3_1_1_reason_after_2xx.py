"""RFC 3326 §3.1 ¶1 (RFC3326-3.1-1, INFO): "The forking proxy includes this status code in a Reason header
field in the CANCEL request that it sends to the rest of the branches."

Informational (an example in the RFC, not a requirement): a missing or different Reason is a warn.
"""

import pytest

from sipconform.scenario.proxy import (MARK, await_cancel, downstream, end_branch, quiet_window, reason_values, ringing,
                                       upstream_final)

pytestmark = [pytest.mark.clause("RFC3326-3.1-1"), pytest.mark.role("proxy")]


def test_cancel_after_200_says_cause_200(sip_peer, sip_peer_factory, dut):
    """Stimulus: INVITE forked to A and B, both ring; A answers 200. Expectation: the DUT's CANCEL to B carries
    ``Reason: SIP;cause=200``."""
    call = ringing(sip_peer, dut, downstream(sip_peer_factory, 2))
    a, b = call.branches
    a.peer.respond(a.invite, 200, headers=[(MARK, a.name)])
    sip_peer.ack(upstream_final(call))
    cancel = await_cancel(b, within=quiet_window(dut), required_by="RFC3261-16.7-10")
    end_branch(b, cancel)
    causes = [params.get("cause") for protocol, params in reason_values(cancel.header_values("reason"))
              if protocol == "SIP"]
    assert "200" in causes, f"the CANCEL after a 200 on another branch has Reason {cancel.header_values('reason')}"
