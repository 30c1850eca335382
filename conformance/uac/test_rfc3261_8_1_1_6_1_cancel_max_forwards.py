"""RFC 3261 §8.1.1.6 ¶2 (RFC3261-8.1.1.6-1, MUST): "A UAC MUST insert a Max-Forwards header field into
each request it originates with a value that SHOULD be 70."

Here: the CANCEL (Table 2 marks Max-Forwards mandatory for CANCEL). Missing or not an integer 0..255
is a fail; another value than 70 a warning. A CANCEL without Max-Forwards is input the peer refuses as
malformed, so it is looked for among what the peer could not accept.
"""

import pytest

from sipconform.flows.uac import cancel_as_sent, ring
from sipconform.peer import Received
from sipconform.sip import ParseError
from sipconform.verdict import precondition, warn

pytestmark = [pytest.mark.clause("RFC3261-8.1.1.6-1"), pytest.mark.role("uac")]


def test_cancel_has_max_forwards(sip_peer, upper_tester):
    """Stimulus: the DUT calls the peer; the peer rings (180); the DUT hangs up.
    Expectation: the CANCEL has a Max-Forwards of 0..255 (70 recommended)."""
    with precondition("the DUT calls the peer when the upper tester makes it"):
        call = ring(sip_peer, upper_tester)
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        cancel = cancel_as_sent(call)
    if isinstance(cancel, Received):
        pytest.fail(f"the DUT's CANCEL is malformed: {cancel.error}", pytrace=False)
    try:
        value = cancel.max_forwards
    except ParseError as exc:
        pytest.fail(f"Max-Forwards {cancel.header('max-forwards')!r} is not an integer: {exc}", pytrace=False)
    assert value is not None, "the CANCEL has no Max-Forwards header field"
    assert 0 <= value <= 255, f"Max-Forwards {value} is outside 0..255"
    if value != 70:
        warn(f"Max-Forwards is {value}; it SHOULD be 70")
