"""At close, a peer ends the calls its test left half-open (peer/teardown.py)."""

from __future__ import annotations

from sipconform.peer import Reactor, SipPeer
from sipconform.sip.timers import Timers

T = Timers(t1=0.02, t2=0.08, t4=0.1)


def test_close_cancels_a_ringing_invite_and_rejects_a_pending_one():
    reactor = Reactor()
    uas = SipPeer("udp", timers=T, reactor=reactor, name="uas")
    uac = SipPeer("udp", timers=T, reactor=reactor, name="uac")
    invite = uac.invite(uas.address)
    uac.send(invite, uas.address)
    received = uas.expect_request("INVITE")
    uas.respond(received, 180)
    uac.expect_response(invite, status=180)

    uac.close()  # the test "forgot" its ringing call

    cancel = uas.expect_request("CANCEL", within=8 * T.t1)
    assert cancel.top_via.branch == invite.top_via.branch
    assert any("teardown: cancelling" in (r.note or "") for r in uac.wire.records)

    other = SipPeer("udp", timers=T, reactor=reactor, name="caller")
    second = other.invite(uas.address)
    other.send(second, uas.address)
    pending = uas.expect_request("INVITE", where=lambda r: r.call_id == second.call_id)
    uas.close()  # the server side left the caller's INVITE pending
    final = other.expect_response(second, final=True, within=8 * T.t1)
    assert final.status == 480 and pending.call_id == final.call_id
    other.close()
    reactor.close()
