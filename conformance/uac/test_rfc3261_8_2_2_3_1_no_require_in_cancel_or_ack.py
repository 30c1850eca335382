"""RFC 3261 §8.2.2.3 ¶3 (RFC3261-8.2.2.3-1, MUST NOT): "Note that Require and Proxy-Require MUST NOT be
used in a SIP CANCEL request, or in an ACK request sent for a non-2xx response."
"""

import pytest

from sipconform.flows.uac import await_ack, ring_and_cancel, terminate
from sipconform.verdict import precondition
from sipconform.verify.fields import forbidden_headers

pytestmark = [pytest.mark.clause("RFC3261-8.2.2.3-1"), pytest.mark.role("uac")]


def test_cancel_and_ack_for_487_have_no_require(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; the peer answers the CANCEL 200 and the
    INVITE 487. Expectation: neither the CANCEL nor the ACK for the 487 carries Require or Proxy-Require."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    terminate(call, cancel)
    with precondition("the DUT ACKs the 487 to its cancelled INVITE (RFC3261-17.1.1.2-1)"):
        ack = await_ack(call)
    names = ("require", "proxy-require")
    problems = forbidden_headers(cancel, names) + forbidden_headers(ack, names)
    assert not problems, "; ".join(problems)
