"""RFC 3262 §4 ¶12 (RFC3262-4-1, MAY): "The UAC MAY acknowledge reliable provisional responses received after
the final response or MAY discard them."

Here: a reliable 180 (Require: 100rel, RSeq) that reaches the DUT again after the 487 of its cancelled
INVITE. Either choice is fine: a PRACK for it (answered 200) or nothing. What neither choice allows is
acting on it as if the INVITE were still pending: a new CANCEL, INVITE or BYE (a warning, the clause being
a MAY). Applies to a DUT that offers 100rel in its INVITE; the profile's capability reliable_provisional =
false makes it not applicable.
"""

import pytest

from sipconform.flows.arrivals import copies
from sipconform.flows.uac import (
    answer,
    answer_request,
    await_ack,
    await_cancel,
    finish,
    hang_up,
    place,
    resend,
    settle_cancel,
    terminate,
)
from sipconform.sip import Request
from sipconform.verdict import inconclusive, precondition, warn

pytestmark = [pytest.mark.clause("RFC3262-4-1"), pytest.mark.role("uac"), pytest.mark.requires("reliable_provisional")]


def _offers_100rel(invite):
    values = [v.strip().lower() for name in ("supported", "require") for f in invite.fields(name)
              for v in f.value.split(",")]
    return "100rel" in values


def test_reliable_180_after_the_487_is_acked_or_discarded(sip_peer, upper_tester, sip_timers, dut):
    """Stimulus: the DUT calls (offering 100rel); the peer answers a reliable 180 (PRACKs answered 200); the
    DUT hangs up; the CANCEL is answered 200 (its retransmissions stop: a precondition, else a later CANCEL
    could be one), the INVITE 487 and ACKed; then the peer sends the reliable 180 again. Expectation: within
    4*T1 a PRACK (answered) or nothing; no CANCEL, INVITE or BYE."""
    with precondition("the DUT sends an INVITE when the upper tester makes it call"):
        call = place(sip_peer, upper_tester)
    if not _offers_100rel(call.invite):
        finish(call)
        inconclusive("the DUT's INVITE offers no 100rel (Supported or Require): no reliable provisional response")
    reliable = answer(call, 180, headers=[("Require", "100rel"), ("RSeq", "1")])
    answer_request(call, "PRACK", within=sip_timers.immediately)
    hang_up(call)
    with precondition("the DUT cancels its ringing call on hang-up (RFC 3261 §9.1)"):
        cancel = await_cancel(call)
    terminate(call, cancel)
    with precondition("the DUT ACKs the 487 to its cancelled INVITE (RFC3261-17.1.1.2-1)"):
        await_ack(call)
    if late := settle_cancel(call, cancel):
        inconclusive("precondition not reached: the DUT's CANCEL transaction takes the 200 to it (RFC3261-9.1-11): "
                     f"it sent the CANCEL again {late[0]:.3f} s after the first copy, its 200 notwithstanding, so a "
                     "later CANCEL cannot be told from a retransmission")
    resend(call, reliable)
    again_at = sip_peer.reactor.elapsed()
    answer_request(call, "PRACK", within=sip_timers.immediately)
    sip_peer.reactor.run_for(sip_timers.t1)

    def acting(m):
        return isinstance(m, Request) and m.method in ("CANCEL", "INVITE", "BYE") and m.call_id == call.invite.call_id
    late = [item for item in copies(sip_peer, acting) if item.time > again_at]
    if late:
        warn(f"a reliable 180 that came after the 487 made the DUT act as if its INVITE were pending: it sent "
             f"{late[0].first_line!r}")
