"""RFC 3261 §8.2.2.3 ¶3 (RFC3261-8.2.2.3-1, MUST NOT): "Note that Require and Proxy-Require MUST NOT be
used in a SIP CANCEL request, or in an ACK request sent for a non-2xx response."
"""

import pytest

from sipconform.scenario.uac import terminated
from sipconform.verify_uac import forbidden_headers

pytestmark = [pytest.mark.clause("RFC3261-8.2.2.3-1"), pytest.mark.role("uac")]


def test_cancel_and_ack_for_487_have_no_require(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; 180; the DUT hangs up; the peer answers the CANCEL 200 and the
    INVITE 487. Expectation: neither the CANCEL nor the ACK for the 487 carries Require or Proxy-Require."""
    _call, cancel, _final, ack = terminated(sip_peer, upper_tester)
    names = ("require", "proxy-require")
    problems = forbidden_headers(cancel, names) + forbidden_headers(ack, names)
    assert not problems, "; ".join(problems)
