"""Peer against peer over real UDP loopback: one SipPeer plays the DUT for another (h11's ConnectionPair)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import pytest

from sipconform.peer import FakeClock, NoMessage, Reactor, SipPeer, UnexpectedMessage, merge
from sipconform.sip.build import ack_for_non2xx
from sipconform.sip.matching import cancel_matches
from sipconform.sip.message import Request, Response
from sipconform.sip.timers import Timers

T = Timers(t1=0.02, t2=0.08, t4=0.1)


@pytest.fixture
def pair() -> Iterator[tuple[SipPeer, SipPeer]]:
    reactor = Reactor()
    with SipPeer("udp", timers=T, reactor=reactor, name="uac") as uac, \
            SipPeer("udp", timers=T, reactor=reactor, name="uas") as uas:
        uac.remote = uas.address
        yield uac, uas
        reactor.close()


def wire_in(peer: SipPeer, first_line_start: str) -> list[str]:
    """Notes of the wire records ``peer`` received whose first line starts with the given text."""
    return [r.note for r in peer.wire.records if r.direction == "in" and r.first_line.startswith(first_line_start)]


def wait_for(peer: SipPeer, condition: Callable[[], bool], within: float) -> None:
    """A condition-based wait (pumps the shared reactor); fails if ``within`` passes first."""
    assert peer.reactor.run_until(condition, peer.reactor.now() + within), "condition not reached in time"


def sent(peer: SipPeer, first_line_start: str) -> int:
    """How many messages ``peer`` sent whose first line starts with the given text."""
    return sum(r.direction == "out" and r.first_line.startswith(first_line_start) for r in peer.wire.records)


def ring(uac: SipPeer, uas: SipPeer, *, retransmit: bool | None = None, auto_ack: bool = True
         ) -> tuple[Request, Request]:
    invite = uac.invite(uas.address)
    uac.send(invite, retransmit=retransmit, auto_ack=auto_ack)
    incoming = uas.expect_request("INVITE")
    uas.respond(incoming, 180)
    uac.expect_response(invite, status=180)
    return invite, incoming


def test_invite_180_cancel_200_487_ack(pair: tuple[SipPeer, SipPeer]) -> None:
    uac, uas = pair
    invite, incoming = ring(uac, uas)
    assert incoming == invite and uas.source_of(incoming) == uac.address
    cancel = uac.cancel(invite)
    got_cancel = uas.expect_request("CANCEL")
    assert cancel_matches(incoming, got_cancel)
    uas.respond(got_cancel, 200)
    uas.respond(incoming, 487)
    ok = uac.expect_response(cancel, status=200)
    terminated = uac.expect_response(invite, status=487)
    assert ok.to.tag == terminated.to.tag is not None            # §9.2: SHOULD be the same To tag
    ack = uas.expect_request("ACK")                               # sent by the INVITE client transaction
    assert ack.top_via.branch == invite.top_via.branch and ack.to.tag == terminated.to.tag
    seen = sent(uas, "SIP/2.0 487")
    uas.expect_nothing(4 * T.t1)
    uac.expect_nothing(4 * T.t1)
    assert sent(uas, "SIP/2.0 487") == seen                       # the ACK stopped Timer G
    uac.check()
    uas.check()
    assert "CANCEL sip:dut@" in uac.wire.render_text()


def test_dropped_cancel_is_recovered_by_timer_e(pair: tuple[SipPeer, SipPeer]) -> None:
    uac, uas = pair
    invite, incoming = ring(uac, uas)
    uas.drop_next("CANCEL")
    cancel = uac.cancel(invite)
    got = uas.expect_request("CANCEL", within=T.f)
    assert got == cancel
    assert wire_in(uas, "CANCEL") == ["dropped (test hook)", ""]
    sent = [r for r in uac.wire.records if r.direction == "out" and r.first_line.startswith("CANCEL")]
    assert [r.note for r in sent][:2] == ["", "retransmission"]
    assert sent[1].time - sent[0].time >= T.e                     # not before Timer E
    uas.respond(got, 200)
    uac.expect_response(cancel, status=200)


def test_487_is_retransmitted_until_ack(pair: tuple[SipPeer, SipPeer]) -> None:
    uac, uas = pair
    invite, incoming = ring(uac, uas, auto_ack=False)
    uas.respond(incoming, 487)
    final = uac.expect_response(invite, status=487)
    wait_for(uac, lambda: len(wire_in(uac, "SIP/2.0 487")) >= 3, T.h)  # Timer G: T1, then 2*T1 later
    assert wire_in(uac, "SIP/2.0 487")[:3] == ["", "absorbed retransmission", "absorbed retransmission"]
    assert uac.unconsumed() == [] and uas.unconsumed() == []
    uac.send(ack_for_non2xx(invite, final))
    uas.expect_request("ACK")
    seen = sent(uas, "SIP/2.0 487")
    uac.expect_nothing(8 * T.t1)
    assert sent(uas, "SIP/2.0 487") == seen                       # none after the ACK


def test_retransmitted_invite_is_absorbed_and_answered_with_the_last_response(pair: tuple[SipPeer, SipPeer]) -> None:
    uac, uas = pair
    invite = uac.invite(uas.address)
    uac.send(invite)
    incoming = uas.expect_request("INVITE")
    wait_for(uas, lambda: len(wire_in(uas, "INVITE")) >= 3, T.b)   # Timer A: T1, then 2*T1 later
    assert wire_in(uas, "INVITE")[:3] == ["", "absorbed retransmission", "absorbed retransmission"]
    assert uas.unconsumed() == []                                 # passed up once only
    uas.respond(incoming, 100)
    uac.expect_response(invite, status=100)
    seen = sent(uac, "INVITE")
    uac.expect_nothing(8 * T.t1)                                  # Proceeding: no more retransmissions
    assert sent(uac, "INVITE") == seen


def test_2xx_is_retransmitted_until_the_ack_and_re_acked(pair: tuple[SipPeer, SipPeer]) -> None:
    uac, uas = pair
    invite, incoming = ring(uac, uas)
    uas.respond(incoming, 200, body=b"v=0\r\n")
    ok = uac.expect_response(invite, status=200)
    assert ok.header("contact") == f"<{uas.contact}>" and ok.body == b"v=0\r\n"
    wait_for(uac, lambda: len(wire_in(uac, "SIP/2.0 200")) >= 2, T.b)  # §13.3.1.4 retransmission
    assert wire_in(uac, "SIP/2.0 200")[:2] == ["", "absorbed retransmission"]  # RFC 6026 Accepted
    assert uac.unconsumed() == []
    ack = uac.ack(ok)
    assert ack.top_via.branch != invite.top_via.branch            # the 2xx ACK is its own transaction
    assert uas.expect_request("ACK").to.tag == ok.to.tag
    uas.expect_nothing(8 * T.t1)
    bye = uac.request("BYE", in_dialog_of=ok)
    assert (bye.call_id, bye.to.tag, bye.cseq.number) == (invite.call_id, ok.to.tag, 2)
    uac.send(bye)
    uas.respond(uas.expect_request("BYE"), 200)
    uac.expect_response(bye, status=200)


def test_expect_times_out_quickly_and_lists_what_came(pair: tuple[SipPeer, SipPeer]) -> None:
    uac, uas = pair
    invite = uac.invite(uas.address)
    uac.send(invite)
    uas.respond(uas.expect_request("INVITE"), 100)
    started = time.monotonic()
    with pytest.raises(NoMessage, match=r"expected CANCEL within 0\.05 s; got nothing") as info:
        uac.expect_request("CANCEL", within=0.05)
    assert time.monotonic() - started < 1.0
    assert "Unconsumed: [SIP/2.0 100 Trying]" in str(info.value)


def test_expect_response_fails_at_once_on_another_final(pair: tuple[SipPeer, SipPeer]) -> None:
    uac, uas = pair
    invite, incoming = ring(uac, uas)
    uas.respond(incoming, 486)
    started = time.monotonic()
    with pytest.raises(NoMessage, match="got 'SIP/2.0 486 Busy Here' instead"):
        uac.expect_response(invite, status=487)
    assert time.monotonic() - started < T.b / 2
    assert uac.expect_response(invite, final=True).status == 486  # still there, unconsumed


def test_expect_nothing_names_the_message_that_came(pair: tuple[SipPeer, SipPeer]) -> None:
    uac, uas = pair
    options = uac.request("OPTIONS", uas.address)
    uac.send(options)
    with pytest.raises(UnexpectedMessage, match="expected no OPTIONS .* got 'OPTIONS sip:dut@"):
        uas.expect_nothing(T.b, method="OPTIONS")


def test_compact_invite_and_unique_ids(pair: tuple[SipPeer, SipPeer]) -> None:
    uac, uas = pair
    invite = uac.invite(uas.address, compact=True, headers=[("Subject", "x")], body=b"v=0\r\n")
    names = [h.name for h in invite.headers]
    assert names[:2] == ["v", "Max-Forwards"] and {"f", "t", "i", "m", "c", "l"} <= set(names)
    uac.send(invite)
    got = uas.expect_request("INVITE", where=lambda r: r.header("subject") == "x")
    assert bytes(got) == bytes(invite)                            # lossless on the wire
    branches = {uac.new_branch() for _ in range(50)} | {uas.new_branch() for _ in range(50)}
    assert len(branches) == 100 and all(b.startswith("z9hG4bK") for b in branches)
    assert uac.new_tag() != uas.new_tag() and uac.new_call_id() != uac.new_call_id()


def test_timers_in_fake_time_over_real_sockets() -> None:
    """With a FakeClock the reactor never blocks: Timer A's schedule at the default T1 = 500 ms, instantly."""
    timers = Timers()
    reactor = Reactor(FakeClock())
    with SipPeer(timers=timers, reactor=reactor, name="uac") as uac, \
            SipPeer(timers=timers, reactor=reactor, name="uas") as uas:
        uas.drop_next("INVITE", count=100)
        invite = uac.invite(uas.address)
        started = time.monotonic()
        uac.send(invite, to=uas.address)
        with pytest.raises(NoMessage, match="timed out"):
            uac.expect_response(invite, within=2 * timers.b)
        assert time.monotonic() - started < 5.0
        times = [r.time for r in uac.wire.records if r.direction == "out"]
        assert times == pytest.approx([0.0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5])
        assert [r.note for r in uas.wire.records][:2] == ["dropped (test hook)"] * 2
        assert uac.timeouts and "Timer B" in uac.timeouts[0]
        assert reactor.elapsed() == pytest.approx(timers.b)


def test_wire_logs_merge_in_time_order(pair: tuple[SipPeer, SipPeer]) -> None:
    uac, uas = pair
    invite, _ = ring(uac, uas, retransmit=False)
    records = merge(uac.wire, uas.wire)
    assert [(r.peer, r.direction, r.first_line.split(" ")[0]) for r in records] == [
        ("uac", "out", "INVITE"), ("uas", "in", "INVITE"), ("uas", "out", "SIP/2.0"), ("uac", "in", "SIP/2.0")]
    assert isinstance(records[3].message, Response) and records[3].message.status == 180


def test_lost_2xx_ack_is_re_sent_for_each_2xx_retransmission(pair: tuple[SipPeer, SipPeer]) -> None:
    """§13.2.2.4: "The UAC core MUST generate an ACK request for each 2xx received"."""
    uac, uas = pair
    invite, incoming = ring(uac, uas)
    uas.drop_next("ACK")
    uas.respond(incoming, 200)
    ok = uac.expect_response(invite, status=200)
    uac.ack(ok)                                                   # lost on the way
    again = uas.expect_request("ACK", within=T.b)                 # re-sent on the 2xx retransmission
    assert again.to.tag == ok.to.tag
    notes = [r.note for r in uac.wire.records if r.direction == "out" and r.first_line.startswith("ACK")]
    assert notes[0] == "" and "re-sent for a retransmitted 2xx" in notes[-1]


def test_wire_log_text_shows_time_direction_addresses_and_message(pair: tuple[SipPeer, SipPeer]) -> None:
    uac, uas = pair
    ring(uac, uas, retransmit=False)
    lines = uac.wire.render_text().splitlines()
    assert lines[0].startswith("[+") and f"uac UDP {uac.sent_by} -> {uas.sent_by}  INVITE sip:dut@" in lines[0]
    assert lines[1].startswith("    INVITE ") and any(line.startswith("    Via: SIP/2.0/UDP") for line in lines)
    assert any(f"{uac.sent_by} <- {uas.sent_by}  SIP/2.0 180 Ringing" in line for line in lines)


def test_ipv6_loopback() -> None:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with SipPeer(timers=T, host="::1", name="uac") as uac, \
            SipPeer(timers=T, host="::1", reactor=uac.reactor, name="uas") as uas:
        assert uas.sent_by.startswith("[::1]:") and uas.uri() == f"sip:peer@{uas.sent_by}"
        options = uac.request("OPTIONS", uas.address)
        assert options.uri == f"sip:dut@{uas.sent_by}"
        uac.send(options, uas.address)
        uas.respond(uas.expect_request("OPTIONS"), 200)
        uac.expect_response(options, status=200)


def test_server_via_rules_stamp_and_route_by_the_via() -> None:
    """``via_params`` / ``route_by_via``: the answering peer adds received (and fills rport), and sends
    UDP responses to the source address and the sent-by port (§18.2.1, §18.2.2, RFC 3581)."""
    reactor = Reactor()
    with SipPeer("udp", timers=T, reactor=reactor, name="uac") as uac, \
            SipPeer("udp", timers=T, reactor=reactor, name="listener") as listener, \
            SipPeer("udp", timers=T, reactor=reactor, name="uas", via_params=("received", "rport"),
                    route_by_via=True) as uas:
        options = uac.request("OPTIONS", uas.address)
        via = options.top_via
        options = options.set_header("Via", f"{via.sent_protocol} 127.0.0.3:{listener.address[1]};branch={via.branch}")
        uac.send(options, uas.address, retransmit=False)
        uas.respond(uas.expect_request("OPTIONS"), 200)
        response = listener.expect_response(options)
        assert response.top_via.received == "127.0.0.1"
        rport = uac.request("OPTIONS", uas.address, headers=())
        rport = rport.set_header("Via", rport.top_via.text + ";rport")
        uac.send(rport, uas.address)
        uas.respond(uas.expect_request("OPTIONS"), 200)
        answer = uac.expect_response(rport)
        assert (answer.top_via.rport, answer.top_via.received) == (str(uac.address[1]), "127.0.0.1")
    reactor.close()
