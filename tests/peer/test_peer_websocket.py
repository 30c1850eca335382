"""Peer against peer over WebSocket and secure WebSocket (RFC 7118) on loopback, IPv4 and IPv6: the
CANCEL exchange, the ``sip`` subprotocol enforced on both sides, one SIP message per WebSocket message
(text, binary, fragmented, without Content-Length), pings, and a raw wsproto client as the remote."""

from __future__ import annotations

import select
import socket

import pytest
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, BytesMessage, Ping, Pong, Request, TextMessage

from sipconform.peer import PeerError, SipPeer
from sipconform.peer.websocket import WsConfig
from sipconform.sip.timers import Timers

T = Timers(t1=0.02, t2=0.08, t4=0.1)
FAMILIES = [pytest.param("127.0.0.1", id="ipv4"), pytest.param("::1", id="ipv6")]

# the stored wire records and Via tokens per transport (RFC 7118 §5.2, §5.3)
VIA = {"ws": "WS", "wss": "WSS"}


@pytest.mark.parametrize("host", FAMILIES)
@pytest.mark.parametrize("transport", ["ws", "wss"])
def test_cancel_exchange_over_websocket(pki, reactor, transport, host, cancel_exchange, notes) -> None:
    tls = pki.config() if transport == "wss" else None
    with SipPeer(transport, timers=T, reactor=reactor, host=host, name="uac", tls=tls) as uac, \
            SipPeer(transport, timers=T, reactor=reactor, host=host, name="uas", tls=tls) as uas:
        invite = uac.invite(uas.address)
        assert invite.top_via.transport == VIA[transport]
        assert invite.uri.startswith("sips:" if transport == "wss" else "sip:") and invite.uri.endswith(";transport=ws")
        cancel_exchange(uac, uas)
        upgrade = [n for n in notes(uac) if n.startswith("WebSocket upgrade")]
        assert upgrade and "subprotocol 'sip'" in upgrade[0] and f"{transport}://" in upgrade[0]
        assert any(n.startswith("WebSocket upgrade accepted") for n in notes(uas))
        if transport == "wss":
            assert notes(uac).index(next(n for n in notes(uac) if n.startswith("TLS established"))) < \
                notes(uac).index(upgrade[0])                        # TLS first, then the upgrade inside it
        assert {r.ip_version for r in uas.wire.records} == {6 if ":" in host else 4}


def test_binary_frames(reactor, cancel_exchange) -> None:
    with SipPeer("ws", timers=T, reactor=reactor, name="uac", ws=WsConfig(binary=True)) as uac, \
            SipPeer("ws", timers=T, reactor=reactor, name="uas") as uas:
        cancel_exchange(uac, uas)


def test_server_refuses_a_client_without_the_sip_subprotocol(reactor) -> None:
    with SipPeer("ws", timers=T, reactor=reactor, name="uac", ws=WsConfig(subprotocol=None)) as uac, \
            SipPeer("ws", timers=T, reactor=reactor, name="uas") as uas:
        uac.send(uac.request("OPTIONS", uas.address), to=uas.address)
        assert uas.wait_until(lambda: bool(uas.transport_failures), T.b)
        assert "refused: the client offered subprotocols [], not 'sip' (RFC 7118 §4.1)" in uas.transport_failures[0]
        assert uac.wait_until(lambda: bool(uac.transport_failures), T.b)
        assert "refused by the server: HTTP 400" in uac.transport_failures[0]
        assert not uas.received()


def test_client_fails_a_server_that_does_not_agree_to_sip(reactor, notes) -> None:
    lax = WsConfig(subprotocol=None, require_subprotocol=False)
    with SipPeer("ws", timers=T, reactor=reactor, name="uac") as uac, \
            SipPeer("ws", timers=T, reactor=reactor, name="uas", ws=lax) as uas:
        invite = uac.invite(uas.address)
        uac.send(invite, to=uas.address)
        assert uac.wait_until(lambda: bool(uac.transport_failures), T.b)
        assert "the server's 101 names subprotocol None, not 'sip' (RFC 7118 §4.1)" in uac.transport_failures[0]
        assert any("none named in the 101, as configured" in n for n in notes(uas))
        assert not uas.received()


def test_a_lax_client_uses_the_connection_and_flags_it(reactor, cancel_exchange, notes) -> None:
    lax_client = WsConfig(require_subprotocol=False)
    lax_server = WsConfig(subprotocol=None, require_subprotocol=False)
    with SipPeer("ws", timers=T, reactor=reactor, name="uac", ws=lax_client) as uac, \
            SipPeer("ws", timers=T, reactor=reactor, name="uas", ws=lax_server) as uas:
        cancel_exchange(uac, uas)
        assert any("subprotocol None (RFC 7118 §4.1 wants 'sip'; used anyway)" in n for n in notes(uac))


class RawWsClient:
    """A WebSocket client on a plain socket (wsproto), to send what the peer itself would not. Each wait
    pumps the peer's reactor until the socket is readable (one thread: the peer answers only then)."""

    def __init__(self, peer: SipPeer, subprotocols: list[str]) -> None:
        self.peer = peer
        host, port = peer.address
        self.sock = socket.create_connection((host, port), timeout=T.b)
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.send(Request(host=f"{host}:{port}", target="/sip", subprotocols=subprotocols))
        self.accepted = self.next_event(AcceptConnection)

    def next_event(self, kind: type):
        for _ in range(100):
            for event in self.ws.events():
                if isinstance(event, kind):
                    return event
            readable = self.peer.wait_until(lambda: bool(select.select([self.sock], [], [], 0)[0]), T.b)
            assert readable, f"the peer sent no {kind.__name__} within {T.b} s"
            self.ws.receive_data(self.sock.recv(65536))
        raise AssertionError(f"no {kind.__name__} among 100 reads")

    def send(self, event) -> None:
        self.sock.sendall(self.ws.send(event))


def test_one_sip_message_per_websocket_message(reactor) -> None:
    """RFC 7118 §5.1: the message boundary frames SIP; no Content-Length needed; fragments reassembled."""
    with SipPeer("ws", timers=T, reactor=reactor, name="uas") as uas:
        raw = RawWsClient(uas, ["sip"])
        assert raw.accepted.subprotocol == "sip"
        host, port = uas.address
        assert any(f"accepted as server for ws://{host}:{port}/sip: subprotocol 'sip'" in r.note
                   for r in uas.wire.records)
        options = (f"OPTIONS sip:uas@{uas.sent_by};transport=ws SIP/2.0\r\n"
                   f"Via: SIP/2.0/WS client.invalid;branch=z9hG4bK-ws-1\r\nMax-Forwards: 70\r\n"
                   f"From: <sip:raw@client.invalid>;tag=1\r\nTo: <sip:uas@{uas.sent_by}>\r\n"
                   f"Call-ID: ws-1\r\nCSeq: 1 OPTIONS\r\n\r\n")       # no Content-Length
        raw.send(TextMessage(data=options[:50], message_finished=False))
        raw.send(TextMessage(data=options[50:], message_finished=True))
        got = uas.expect_request("OPTIONS")
        assert got.call_id == "ws-1" and got.header("content-length") is None
        uas.respond(got, 200)
        reply = raw.next_event(TextMessage)
        assert reply.data.startswith("SIP/2.0 200 OK\r\n") and reply.message_finished
        second = options.replace("ws-1", "ws-2").encode()
        raw.send(BytesMessage(data=second))                          # binary frames are allowed too
        assert uas.expect_request("OPTIONS").call_id == "ws-2"
        raw.send(Ping(payload=b"alive"))
        assert raw.next_event(Pong).payload == b"alive"
        raw.sock.close()
        uas.check()


def test_an_upgrade_to_a_plain_sip_server_fails_clearly(reactor) -> None:
    """A WS client pointed at a SIP-over-TCP port: the server cannot frame "GET / HTTP/1.1" and closes."""
    with SipPeer("ws", timers=T, reactor=reactor, name="uac") as uac, \
            SipPeer("tcp", timers=T, reactor=reactor, name="tcp") as tcp:
        uac.send(uac.request("OPTIONS", tcp.address), to=tcp.address)
        assert uac.wait_until(lambda: bool(uac.transport_failures), T.b)
        assert uac.transport_failures == [f"WebSocket upgrade as client to ws://127.0.0.1:{tcp.address[1]}/ failed: "
                                          f"the remote closed the connection"]
        with pytest.raises(PeerError, match="no Content-Length on a stream transport"):
            tcp.check()
