"""RFC 6026 §7.2 ¶3 (RFC6026-7.2-2, MUST): "Any response received that does not match an existing client
transaction state machine is simply dropped."

To know the INVITE client transaction is gone the test uses TCP: on a reliable transport Timer D is zero
(RFC 6026 §8.4), so the transaction ends as soon as it has ACKed the 487. A copy of the 487 sent afterwards
on the same connection matches nothing: no ACK. (Over UDP Timer D lasts "at least" 32 s, with no upper
bound the test could wait for.) A DUT that closed the connection cannot be sent the copy: inconclusive.
"""

import pytest

from sipconform.flows.arrivals import copies
from sipconform.flows.uac import acks_of, await_ack, resend, ring_and_cancel, terminate
from sipconform.peer import SendError
from sipconform.verdict import inconclusive, precondition

pytestmark = [pytest.mark.clause("RFC6026-7.2-2"), pytest.mark.role("uac"), pytest.mark.requires(transport="reliable")]


def test_487_after_the_transaction_ended_is_dropped(sip_peer, upper_tester, sip_timers):
    """Stimulus (TCP): the whole §9.1 flow (180, CANCEL answered 200, 487, ACK); T1 later the peer sends the
    487 again. Expectation: no ACK for that copy within 4*T1."""
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        call, cancel = ring_and_cancel(sip_peer, upper_tester)
    final = terminate(call, cancel)
    with precondition("the DUT ACKs the 487 to its cancelled INVITE (RFC3261-17.1.1.2-1)"):
        await_ack(call)
    sip_peer.reactor.run_for(sip_timers.t1)
    before = len(copies(sip_peer, acks_of(call)))
    try:
        resend(call, final)
    except SendError as exc:
        inconclusive(f"the 487 could not be sent again: {exc}")
    sip_peer.reactor.run_for(sip_timers.immediately)
    acked = len(copies(sip_peer, acks_of(call))) - before
    assert not acked, ("the DUT ACKed a copy of the 487 that came after its INVITE client transaction had "
                       "ended (Timer D is zero over TCP): a response matching no transaction is simply dropped")
