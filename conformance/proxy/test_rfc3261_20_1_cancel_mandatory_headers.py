"""RFC 3261 §20 (RFC3261-20-1, MUST): "A "mandatory" header field MUST be present in a request, and MUST be
understood by the UAS receiving the request."  Tables 2 and 3, CANCEL column "m": Call-ID, CSeq, From,
Max-Forwards, To, Via; "t" (mandatory over a stream transport, §20.14): Content-Length.

Here: the CANCEL the proxy generates down a branch (§16.10, §9.1).
Stimulus: INVITE through the DUT; the branch rings; the UAC cancels.
Expectation: the DUT's CANCEL carries every "m" header field, and over TCP Content-Length too (long or
compact names alike). A CANCEL that lacks one is input the peer refuses as malformed: it is looked for there.
"""

import pytest

from sipconform.flows.proxy import cancel_received, cancel_upstream, downstream, end_branch, ringing
from sipconform.peer import NoMessage
from sipconform.flows.arrivals import unparseable
from sipconform.sip.transports import MESSAGE_FRAMED
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC3261-20-1"), pytest.mark.role("proxy")]

MANDATORY = ("Call-ID", "CSeq", "From", "Max-Forwards", "To", "Via")


def test_proxy_cancel_has_the_mandatory_header_fields(sip_peer, sip_peer_factory, dut):
    """Stimulus: as above. Expectation: as above."""
    with precondition("the call rings through the DUT (RFC 3261 §16.6, §16.7 step 5)"):
        call = ringing(sip_peer, dut, downstream(sip_peer_factory))
    cancel_upstream(call)
    branch = call.branches[0]
    try:
        cancel = cancel_received(branch)
    except NoMessage as exc:
        if broken := unparseable(branch.peer, "CANCEL"):  # a missing mandatory header makes it unacceptable
            pytest.fail(f"the DUT's CANCEL is malformed: {broken[0].error}", pytrace=False)
        inconclusive(f"precondition not reached: the DUT sends {branch.name} a CANCEL (RFC3261-16.10-2): {exc}")
    with precondition(f"{branch.name} can answer the DUT's CANCEL (RFC3261-9.1-4)"):
        end_branch(branch, cancel)
    wanted = [*MANDATORY, *(["Content-Length"] if branch.peer.transport not in MESSAGE_FRAMED else [])]
    missing = [name for name in wanted if not cancel.has(name)]
    assert not missing, (f"the DUT's CANCEL lacks the mandatory header field(s) {missing} "
                         f"({branch.peer.transport.upper()})")
