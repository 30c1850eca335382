"""RFC 3261 §20.5 ¶2 (RFC3261-20.5-1, MUST): "All methods, including ACK and CANCEL, understood by the UA
MUST be included in the list of methods in the Allow header field, when present."

Here: the DUT understands CANCEL (it is the subject of this suite); every Allow it sends lists it.
"""

from contextlib import suppress

import pytest

from sipconform.flows.uas import await_final, cancelled, ring, target_uri
from sipconform.sip import Response
from sipconform.peer import NoMessage
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3261-20.5-1"), pytest.mark.role("uas")]


def _methods(response: Response) -> set[str]:
    return {m.strip().upper() for value in response.header_values("allow") for m in value.split(",") if m.strip()}


def test_every_allow_lists_cancel(sip_peer, dut, sip_timers):
    """Stimulus: OPTIONS to the DUT; then INVITE, the DUT rings, CANCEL.
    Expectation: every response with an Allow header field lists CANCEL (none with Allow: inconclusive). A
    refused CANCEL leaves the INVITE ringing: the responses up to it are judged."""
    options = sip_peer.request("OPTIONS", (dut.host, dut.port), uri=target_uri(dut, sip_peer.transport))
    sip_peer.send(options)
    responses = [sip_peer.expect_response(options, final=True)]
    with precondition("the DUT rings on an INVITE"):
        call = ring(sip_peer, dut)
    with precondition("the DUT answers the CANCEL (RFC3261-9.2-10)"):
        cancelled(call)
    # an INVITE not ended at once (see RFC3261-9.2-8): the Allows seen are judged all the same
    with suppress(NoMessage):
        await_final(call, within=sip_timers.tolerance(sip_timers.immediately))  # ... kept in call.responses
    responses += [*call.responses, call.cancel_response]
    with_allow = [r for r in responses if r.has("allow")]
    if not with_allow:
        inconclusive("no response of the DUT carried an Allow header field")
    lacking = [f"{r.start_line!r} to {r.cseq.method}: Allow: {', '.join(r.header_values('allow'))}"
               for r in with_allow if "CANCEL" not in _methods(r)]
    assert not lacking, "Allow does not list CANCEL, which the DUT understands: " + "; ".join(lacking)
