"""Peer against peer over real TCP loopback: framing, connection reuse, no retransmissions (§17, §18)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from sipconform.peer import Reactor, SipPeer
from sipconform.sip.timers import Timers

T = Timers(t1=0.02, t2=0.08, t4=0.1)


@pytest.fixture
def pair() -> Iterator[tuple[SipPeer, SipPeer]]:
    reactor = Reactor()
    with SipPeer("tcp", timers=T, reactor=reactor, name="uac") as uac, \
            SipPeer("tcp", timers=T, reactor=reactor, name="uas") as uas:
        uac.remote = uas.address
        yield uac, uas
        reactor.close()


def records(peer: SipPeer, direction: str, start: str) -> list[int | None]:
    """Connection ids of the wire records in ``direction`` whose first line starts with ``start``."""
    return [r.connection for r in peer.wire.records if r.direction == direction and r.first_line.startswith(start)]


def test_invite_180_cancel_200_487_ack_on_one_connection(pair: tuple[SipPeer, SipPeer], cancel_exchange) -> None:
    uac, uas = pair
    invite = uac.invite(uas.address)
    assert invite.uri.endswith(";transport=tcp") and invite.top_via.transport == "TCP"
    cancel_exchange(uac, uas)                                     # connect once, then reuse, on both sides
    assert set(records(uas, "out", "")) == set(records(uas, "in", "INVITE"))  # answers on the same connection


def test_no_retransmissions_over_tcp(pair: tuple[SipPeer, SipPeer]) -> None:
    uac, uas = pair
    invite = uac.invite(uas.address)
    uac.send(invite, auto_ack=False)
    incoming = uas.expect_request("INVITE")
    uas.expect_nothing(8 * T.t1, method="INVITE")                 # §17.1.1.2: no Timer A on TCP
    assert len(records(uas, "in", "INVITE")) == 1
    uas.respond(incoming, 487)
    uac.expect_response(invite, status=487)
    uac.expect_nothing(8 * T.t1)                                  # §17.2.1: no Timer G on TCP
    assert len(records(uac, "in", "SIP/2.0 487")) == 1


def test_2xx_is_retransmitted_over_tcp_too_until_ack(pair: tuple[SipPeer, SipPeer]) -> None:
    """§13.3.1.4: "independent of whatever transport protocols are used"."""
    uac, uas = pair
    invite = uac.invite(uas.address)
    uac.send(invite)
    uas.respond(uas.expect_request("INVITE"), 200)
    ok = uac.expect_response(invite, status=200)
    assert uac.reactor.run_until(lambda: len(records(uac, "in", "SIP/2.0 200")) >= 2, uac.reactor.now() + T.b)
    uac.ack(ok)
    uas.expect_request("ACK")
    seen = len(records(uas, "out", "SIP/2.0 200"))
    uac.expect_nothing(8 * T.t1)
    assert len(records(uas, "out", "SIP/2.0 200")) == seen


def test_several_messages_in_one_segment_and_one_message_in_many(pair: tuple[SipPeer, SipPeer]) -> None:
    uac, uas = pair
    first, second = (bytes(uac.request("OPTIONS", uas.address)) for _ in range(2))
    with socket.create_connection(uas.address) as raw:
        raw.sendall(b"\r\n\r\n" + first + second)                # RFC 5626 keep-alive, then two messages
        assert uas.expect_request("OPTIONS").call_id != uas.expect_request("OPTIONS").call_id
        third = bytes(uac.request("OPTIONS", uas.address, headers=[("Subject", "split")], body=b"hello"))
        raw.sendall(third[:40])
        uas.expect_nothing(2 * T.t1)
        raw.sendall(third[40:])
        got = uas.expect_request("OPTIONS")
        assert got.header("subject") == "split" and got.body == b"hello"
        response = uas.respond(got, 200)
        raw.settimeout(T.b)
        assert raw.recv(65536) == bytes(response)                # back on the same connection (§18.2.2)
    uas.check()


def test_connection_closed_by_the_remote_is_an_event(pair: tuple[SipPeer, SipPeer]) -> None:
    uac, uas = pair
    raw = socket.create_connection(uas.address)
    raw.close()

    def notes() -> list[str]:
        return [r.note for r in uas.wire.records if r.direction == "note"]
    assert uas.reactor.run_until(lambda: len(notes()) >= 2, uas.reactor.now() + T.b)
    assert notes() == ["connection accepted", "connection closed by the remote"]
    uas.check()                                                   # a clean close is not an error


def test_response_after_the_connection_closed_opens_a_new_one(pair: tuple[SipPeer, SipPeer]) -> None:
    """§18.2.2: "If that connection is no longer open, the server SHOULD open a connection to ...
    the port in the "sent-by" value"."""
    uac, uas = pair
    options = uac.request("OPTIONS", uas.address)
    uac.send(options)
    got = uas.expect_request("OPTIONS")
    uac.close_connections()
    closed = lambda: any(r.note == "connection closed by the remote" for r in uas.wire.records)  # noqa: E731
    assert uas.reactor.run_until(closed, uas.reactor.now() + T.b)
    uas.respond(got, 200)
    uac.expect_response(options, status=200)                      # arrived on a connection to the listener
    [came_on] = records(uas, "in", "OPTIONS")
    [went_on] = records(uas, "out", "SIP/2.0")
    assert went_on != came_on


def test_2xx_retransmission_with_no_way_back_is_logged_not_raised(pair: tuple[SipPeer, SipPeer]) -> None:
    """RFC 6026 §7.1: "Accepted" has no transport-error transition. When the caller's connection is gone
    and its sent-by port is closed, the 2xx retransmission fails: the wire log says so, nothing raises."""
    uac, uas = pair
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    invite = bytes(uac.invite(uas.address)).replace(f":{uac.address[1]};".encode(), f":{closed_port};".encode(), 1)
    with socket.create_connection(uas.address) as raw:
        raw.sendall(invite)
        got = uas.expect_request("INVITE")
        assert got.top_via.port == closed_port
        uas.respond(got, 200)
    uas.expect_nothing(8 * T.t1)                                   # Timer G fires in Accepted: no exception
    assert any(r.note.startswith("send failed") for r in uas.wire.records if r.direction == "note")
