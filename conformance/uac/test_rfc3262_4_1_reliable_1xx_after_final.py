"""RFC 3262 §4 ¶12 (RFC3262-4-1, MAY): "The UAC MAY acknowledge reliable provisional responses received after
the final response or MAY discard them."

Here: a reliable 180 (Require: 100rel, RSeq) that reaches the DUT again after the 487 of its cancelled
INVITE. Either choice is fine: a PRACK for it (answered 200) or nothing. What neither choice allows is
acting on it as if the INVITE were still pending: a new CANCEL, INVITE or BYE (a warning, the clause being
a MAY). Applies to a DUT that offers 100rel in its INVITE; the profile's capability reliable_provisional =
false makes it not applicable.
"""

import pytest

from sipconform.scenario.uac import (answer, answer_request, await_ack, await_cancel, await_cancel_settled, copies,
                                      finish, incoming_call, resend)
from sipconform.sip import Request
from sipconform.verdict import inconclusive, warn

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
    call = incoming_call(sip_peer, upper_tester)
    if not _offers_100rel(call.invite):
        finish(call)
        inconclusive("the DUT's INVITE offers no 100rel (Supported or Require): no reliable provisional response")
    t1 = sip_timers.t1
    reliable = answer(call, 180, headers=[("Require", "100rel"), ("RSeq", "1")])
    answer_request(call, "PRACK", within=4 * t1)
    cancel = await_cancel(call)
    sip_peer.respond(cancel, 200)
    answer(call, 487)
    await_ack(call, what="the DUT ACKs the 487 to its cancelled INVITE")
    await_cancel_settled(call, cancel)
    resend(call, reliable)
    again_at = sip_peer.reactor.elapsed()
    answer_request(call, "PRACK", within=4 * t1)
    sip_peer.reactor.run_for(t1)

    def acting(m):
        return isinstance(m, Request) and m.method in ("CANCEL", "INVITE", "BYE") and m.call_id == call.invite.call_id
    late = [item for item in copies(sip_peer, acting) if item.time > again_at]
    if late:
        warn(f"a reliable 180 that came after the 487 made the DUT act as if its INVITE were pending: it sent "
             f"{late[0].first_line!r}")
