"""RFC 6026 §7.1 ¶2 (RFC6026-7.1-1, MUST): "If the SIP element's TU (Transaction User) issues a 2xx response
for this transaction while the state machine is in the "Proceeding" state, the state machine MUST
transition to the "Accepted" state and set Timer L to 64*T1". And: "Any retransmissions of the INVITE
received while in the "Accepted" state MUST be absorbed by the server transaction" (§8.7's table).

Here: the retransmitted INVITE after the 200 is absorbed, not taken for a new call (the CANCEL within
Timer L is RFC6026-6-1). Applies to devices that declare ``rfc6026 = true``.
"""

import pytest

from sipconform.flows.uas import ack_2xx, answered, answers_to, end
from sipconform.verdict import precondition

pytestmark = [pytest.mark.clause("RFC6026-7.1-1"), pytest.mark.role("uas"), pytest.mark.transport("udp"),
              pytest.mark.requires("rfc6026"), pytest.mark.requires(target="answer")]


def test_invite_retransmission_after_2xx_is_absorbed(sip_peer, dut, sip_timers):
    """Stimulus: INVITE answered 200 at once; before the ACK, the identical INVITE again.
    Expectation: during 4*T1, no response to it but copies of the 200 (same To tag)."""
    with precondition("the DUT answers an INVITE at once"):
        call = answered(sip_peer, dut)
    first = call.final
    sip_peer.send(bytes(call.invite), sip_peer.source_of(first))
    other = lambda: [r.message for r in sip_peer.arrivals(answers_to(call.invite))  # noqa: E731
                     if (r.message.status, r.message.to.tag) != (first.status, first.to.tag)]
    sip_peer.wait_until(lambda: bool(other()), within=sip_timers.immediately)
    ack_2xx(call)
    end(call)
    assert not other(), (f"the INVITE retransmitted after the {first.status} was not absorbed: it got "
                         f"{other()[0].start_line!r} (To {other()[0].to.text!r})")
