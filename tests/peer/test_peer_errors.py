"""Bad input from the remote is recorded, not raised in the I/O path, and surfaced by ``check()``."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from sipconform.peer import NoMessage, PeerError, Reactor, SendError, SipPeer
from sipconform.peer.transports import MAX_MESSAGE_SIZE
from sipconform.sip.errors import ParseError
from sipconform.sip.timers import Timers
from sipconform.sip.transaction import TransactionError

T = Timers(t1=0.02, t2=0.08, t4=0.1)


@pytest.fixture(params=["udp", "tcp"])
def peer(request: pytest.FixtureRequest) -> Iterator[SipPeer]:
    with SipPeer(request.param, timers=T, name="peer") as p:
        yield p


@pytest.fixture
def udp_peer() -> Iterator[SipPeer]:
    with SipPeer("udp", timers=T, name="peer") as p:
        yield p


@pytest.fixture
def tcp_peer() -> Iterator[SipPeer]:
    with SipPeer("tcp", timers=T, name="peer") as p:
        yield p


def deliver(peer: SipPeer, data: bytes) -> None:
    """Send ``data`` to ``peer`` as a remote would: one datagram, or one TCP connection then close;
    then pump until the peer has received it."""
    before = len(peer.received())
    if peer.transport == "udp":
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(data, peer.address)
    else:
        with socket.create_connection(peer.address) as s:
            s.sendall(data)
    assert peer.reactor.run_until(lambda: len(peer.received()) > before, peer.reactor.now() + T.b)


def options(peer: SipPeer, **kw: object) -> bytes:
    return bytes(peer.request("OPTIONS", peer.address, **kw))  # type: ignore[arg-type]


def check_fails(peer: SipPeer, *fragments: str) -> str:
    with pytest.raises(PeerError) as info:
        peer.check()
    text = str(info.value)
    assert "Traceback" not in text
    for fragment in fragments:
        assert fragment in text, text
    return text


def test_garbage_bytes(peer: SipPeer) -> None:
    deliver(peer, b"\x00\x01garbage\xff")
    text = check_fails(peer, "could not be parsed or framed", "garbage")
    assert "raw: b'\\x00\\x01garbage\\xff'" in text or peer.transport == "tcp"
    [record] = [r for r in peer.received() if r.error is not None]
    assert isinstance(record.error, ParseError) and record.message is None
    assert "!! unparseable" in peer.wire.render_text()


def test_expect_names_the_unparseable_input(udp_peer: SipPeer) -> None:
    deliver(udp_peer, b"NOT SIP AT ALL\r\n\r\n")
    with pytest.raises(NoMessage, match=r"Unparseable input: 1 \(see check\(\)\)"):
        udp_peer.expect_request("INVITE", within=T.t1)


def test_truncated_message(udp_peer: SipPeer) -> None:
    deliver(udp_peer, options(udp_peer)[:60])
    check_fails(udp_peer, "no empty line ending the header section")


def test_wrong_content_length(udp_peer: SipPeer) -> None:
    data = options(udp_peer, body=b"abc").replace(b"Content-Length: 3", b"Content-Length: 30")
    deliver(udp_peer, data)
    check_fails(udp_peer, "Content-Length 30 is larger than the body (3 bytes)")


def test_datagram_bytes_beyond_content_length_are_discarded_and_shown(udp_peer: SipPeer) -> None:
    """§18.3 (RFC 4475 §3.1.1.8): the message is taken, the bytes after its body go, the trace shows them."""
    message = options(udp_peer)
    deliver(udp_peer, message + b"\r\nINVITE sip:noise SIP/2.0\r\n")
    got = udp_peer.expect_request("OPTIONS", within=T.t1)
    assert bytes(got) == message
    udp_peer.check()  # nothing unparseable
    [record] = [r for r in udp_peer.wire.records if r.direction == "in"]
    assert record.discarded == b"\r\nINVITE sip:noise SIP/2.0\r\n" and "discarded" in record.note
    text = udp_peer.wire.render_text()
    assert "-- 28 bytes after Content-Length, discarded (RFC 3261 §18.3):" in text and "INVITE sip:noise" in text


def test_malformations_are_recorded_and_named(peer: SipPeer) -> None:
    """A message that breaks a single-instance rule (§7.3.1) is taken, and its wire record names the rule."""
    from sipconform.peer.wirelog import findings
    data = options(peer).replace(b"\r\nCSeq:", b"\r\nTo: <sip:second@example.com>\r\nCSeq:", 1)
    deliver(peer, data)
    peer.expect_request("OPTIONS", within=T.t1)
    [record] = [r for r in peer.wire.records if r.direction == "in"]
    assert [m.rule for m in record.malformations] == ["single-instance"]
    assert "!! malformed: 2 To header fields, where one is allowed (RFC 3261 §7.3.1, §20.39)" in peer.wire.render_text()
    assert record.message is not None
    named = f"{record.message.start_line!r}: 2 To header fields, where one is allowed (RFC 3261 §7.3.1, §20.39)"
    assert findings(peer.wire.records) == [named]


def test_huge_datagram() -> None:
    with SipPeer("udp", timers=T, max_size=1000) as small:
        deliver(small, options(small, headers=[("Subject", "x" * 5000)]))
        check_fails(small, "exceeds the limit of 1000 bytes")


def test_huge_message_on_a_stream_closes_the_connection(tcp_peer: SipPeer) -> None:
    data = options(tcp_peer).replace(b"Content-Length: 0", b"Content-Length: 5000000")
    deliver(tcp_peer, data)
    check_fails(tcp_peer, f"exceeds the limit of {MAX_MESSAGE_SIZE} bytes")
    assert any("stream cannot be framed" in r.note for r in tcp_peer.wire.records)


def test_missing_content_length_on_a_stream(tcp_peer: SipPeer) -> None:
    data = options(tcp_peer).replace(b"Content-Length: 0\r\n", b"")
    deliver(tcp_peer, data)
    check_fails(tcp_peer, "no Content-Length on a stream transport")


def test_tcp_connection_dropped_mid_message(tcp_peer: SipPeer) -> None:
    data = options(tcp_peer, body=b"0123456789")
    deliver(tcp_peer, data[:-4])                                  # connect, send part, close
    check_fails(tcp_peer, "the remote closed the connection inside a message",
                f"{len(data) - 4} bytes received that never formed a message")


def test_parseable_message_with_unusable_via_is_delivered_and_reported(udp_peer: SipPeer) -> None:
    data = options(udp_peer).replace(b"Via: SIP/2.0/UDP", b"Via: nonsense")
    deliver(udp_peer, data)
    got = udp_peer.expect_request("OPTIONS", within=0)
    assert (got.header("via") or "").startswith("nonsense")
    check_fails(udp_peer, "malformed Via value")


def test_send_to_a_closed_tcp_port_raises_send_error(tcp_peer: SipPeer) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()                                  # bound, never listening: refused
        with pytest.raises(SendError, match="cannot send OPTIONS"):
            tcp_peer.send(tcp_peer.request("OPTIONS", closed), closed)
    assert tcp_peer.next_deadline() is None                      # no transaction left behind


def test_udp_to_a_closed_port_is_not_an_error(udp_peer: SipPeer) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()
    udp_peer.send(udp_peer.request("OPTIONS", closed), closed)   # nobody there (ICMP port unreachable)
    with pytest.raises(NoMessage, match="got nothing"):
        udp_peer.expect_response(within=4 * T.t1)
    assert len([r for r in udp_peer.wire.records if r.direction == "out"]) >= 2  # Timer E kept going
    udp_peer.check()


def test_illegal_tu_input_raises_typed_error() -> None:
    reactor = Reactor()
    with SipPeer(timers=T, reactor=reactor, name="uac") as uac, SipPeer(timers=T, reactor=reactor, name="uas") as uas:
        request = uac.request("OPTIONS", uas.address)
        uac.send(request, uas.address)
        got = uas.expect_request("OPTIONS")
        uas.respond(got, 200)
        with pytest.raises(TransactionError, match="Completed"):  # §17.2.2: a second final is discarded
            uas.respond(got, 500)
        uas.send(b"SIP/2.0 500 Raw\r\n\r\n", uac.address)         # rules broken on purpose: raw bytes
        uac.expect_response(request, status=200)
        with pytest.raises(ValueError, match="no destination"):
            uac.send(uac.request("OPTIONS", uas.address))
    reactor.close()


def test_a_request_broken_on_purpose_is_sent_as_it_is() -> None:
    reactor = Reactor()
    with SipPeer(timers=T, reactor=reactor, name="uac") as uac, SipPeer(timers=T, reactor=reactor, name="uas") as uas:
        broken = uac.request("OPTIONS", uas.address).remove_header("Via")
        uac.send(broken, uas.address)
        assert "sent without a transaction" in uac.wire.records[-1].note
        assert uas.reactor.run_until(lambda: bool(uas.received()), reactor.now() + T.b)
        check_fails(uas, "mandatory")
    reactor.close()
