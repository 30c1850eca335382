"""SIP over WebSocket (RFC 7118): WS over TCP and WSS over the TLS layer, on ``wsproto`` (sans-IO).

RFC 7118 §4.1: the client offers the ``sip`` subprotocol in its upgrade request and the server's 101
names it; a server here refuses an upgrade that does not offer it, and a client fails a connection whose
101 does not name it (both a ``ConnectionFailed`` event), unless ``WsConfig.require_subprotocol`` is off,
when the connection is used and the ready note says the subprotocol is missing. §5.1: one SIP message per
WebSocket message, text or binary; the message boundary frames it, not Content-Length. Via transport
"WS" / "WSS" (§5.2). Pings are answered; a Close is answered and reported as the remote closing.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection, BytesMessage, CloseConnection, Event, Ping, RejectConnection, Request, TextMessage,
)
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

from sipconform.peer.reactor import Reactor
from sipconform.peer.tls import TlsConfig, TlsConnection
from sipconform.peer.transport import Address, Connection, Sink, StreamBroken, TcpTransport
from sipconform.sip.errors import ParseError

__all__ = ["SUBPROTOCOL", "WsConfig", "WsConnection", "WsTransport", "WssConnection", "WssTransport"]

SUBPROTOCOL = "sip"
"""RFC 7118 §4.1, registered with IANA (§9.1)."""


@dataclass(frozen=True)
class WsConfig:
    """The client's resource ``path`` and ``host`` (Host header; default the remote address), the
    ``subprotocol`` it offers (None: none, to test a server), whether either side insists on it, and
    whether messages go in ``binary`` frames (text frames by default, RFC 7118 §5.1: either is allowed)."""

    path: str = "/"
    host: str | None = None
    subprotocol: str | None = SUBPROTOCOL
    require_subprotocol: bool = True
    binary: bool = False


def _hostport(addr: Address) -> str:
    host, port = addr
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class WsConnection(Connection):
    """A connection with a WebSocket layer (``configure_ws`` before ``start``)."""

    def configure_ws(self, config: WsConfig) -> None:
        self.ws_config = config
        self.ws = WSConnection(ConnectionType.CLIENT if self.outgoing else ConnectionType.SERVER)
        self.ws_open = False
        self.subprotocol: str | None = None
        self.parts: list[bytes] = []
        self.requested: str | None = None  # server side: the Host and resource of the upgrade request
        self.handshakes += 1

    @property
    def url(self) -> str:
        """The WebSocket URI: the one we connect to, or the one the client asked for (RFC 6455 §3)."""
        scheme = "wss" if self.transport.name == "wss" else "ws"
        if not self.outgoing:
            return f"{scheme}://{self.requested or _hostport(self.local) + '/'}"
        return f"{scheme}://{self.ws_config.host or _hostport(self.remote)}{self.ws_config.path}"

    def start(self) -> None:
        super().start()
        if self.outgoing and self.open:
            offered = [self.ws_config.subprotocol] if self.ws_config.subprotocol else []
            request = Request(host=self.ws_config.host or _hostport(self.remote), target=self.ws_config.path,
                              subprotocols=offered)
            self.send_plain(self.ws.send(request))

    def pending(self) -> bytes:
        return b"".join(self.parts)

    def unfinished(self) -> str | None:
        return super().unfinished() or (None if self.ws_open else f"WebSocket upgrade {self._side_text()}")

    def send_message(self, data: bytes) -> None:
        """One SIP message as one WebSocket message (RFC 7118 §5.1): text if it is UTF-8, else binary."""
        event: Event
        if self.ws_config.binary:
            event = BytesMessage(data=data)
        else:
            try:
                event = TextMessage(data=data.decode("utf-8"))
            except UnicodeDecodeError:
                event = BytesMessage(data=data)
        try:
            self.send_plain(self.ws.send(event))
        except LocalProtocolError as exc:
            raise ConnectionError(f"{self!r}: cannot send on the WebSocket: {exc}") from None

    def feed_plain(self, data: bytes) -> None:
        try:
            self.ws.receive_data(data)
            for event in self.ws.events():
                self._on_ws_event(event)
                if not self.open:
                    return
        except (RemoteProtocolError, LocalProtocolError) as exc:
            if not self.ws_open:
                self.fail(f"WebSocket upgrade {self._side_text()} failed: {exc}")
            else:
                self._broken(ParseError("websocket", f"WebSocket protocol error: {exc}"))

    def _broken(self, error: ParseError) -> None:
        if self.open:
            pending = self.pending()
            self.transport.drop(self)
            self.transport.sink(StreamBroken(error, pending, self))

    def _side_text(self) -> str:
        return f"as {'client to' if self.outgoing else 'server for'} {self.url}"

    def _on_ws_event(self, event: Event) -> None:
        if isinstance(event, Request):
            self._on_upgrade_request(event)
        elif isinstance(event, AcceptConnection):
            self._on_accepted(event.subprotocol)
        elif isinstance(event, RejectConnection):
            self.fail(f"WebSocket upgrade {self._side_text()} refused by the server: HTTP {event.status_code}")
        elif isinstance(event, (TextMessage, BytesMessage)):
            part = event.data.encode("utf-8") if isinstance(event, TextMessage) else bytes(event.data)
            self.parts.append(part)
            if sum(map(len, self.parts)) > self.max_size:
                self._broken(ParseError("too-large", f"a WebSocket message over {self.max_size} bytes"))
                return
            if event.message_finished:
                message, self.parts = b"".join(self.parts), []
                self.deliver(message)
        elif isinstance(event, Ping):
            self.send_plain(self.ws.send(event.response()))
        elif isinstance(event, CloseConnection):
            if self.ws.state is ConnectionState.REMOTE_CLOSING:
                self.send_plain(self.ws.send(event.response()))
            self.closed_by_remote()

    def _on_upgrade_request(self, request: Request) -> None:
        self.requested = f"{request.host}{request.target}"
        wanted = self.ws_config.subprotocol
        offered = list(request.subprotocols)
        if wanted is not None and wanted in offered:
            self._accept(wanted, f"offered {offered}")
        elif wanted is None:
            self._accept(None, f"offered {offered}; none named in the 101, as configured (to test a client)")
        elif not self.ws_config.require_subprotocol:
            self._accept(None, f"offered {offered}, without {wanted!r} (RFC 7118 §4.1); accepted anyway")
        else:
            self.send_plain(self.ws.send(RejectConnection(status_code=400)))
            self.fail(f"WebSocket upgrade from {_hostport(self.remote)} (GET {request.target}) refused: the client "
                      f"offered subprotocols {offered}, not {wanted!r} (RFC 7118 §4.1)")

    def _accept(self, subprotocol: str | None, detail: str) -> None:
        self.send_plain(self.ws.send(AcceptConnection(subprotocol=subprotocol)))
        self.subprotocol = subprotocol
        self.ws_open = True
        self.handshake_done(f"WebSocket upgrade accepted {self._side_text()}: subprotocol {subprotocol!r} ({detail})")

    def _on_accepted(self, subprotocol: str | None) -> None:
        wanted = self.ws_config.subprotocol
        if wanted is not None and subprotocol != wanted and self.ws_config.require_subprotocol:
            self.fail(f"WebSocket upgrade {self._side_text()} failed: the server's 101 names subprotocol "
                      f"{subprotocol!r}, not {wanted!r} (RFC 7118 §4.1)")
            return
        self.subprotocol = subprotocol
        self.ws_open = True
        note = "" if subprotocol == wanted else f" (RFC 7118 §4.1 wants {wanted!r}; used anyway)"
        self.handshake_done(f"WebSocket upgrade {self._side_text()} done: subprotocol {subprotocol!r}{note}")

    def close(self) -> None:
        if self.open and self.ws_open and self.ws.state is ConnectionState.OPEN:
            try:
                self.send_plain(self.ws.send(CloseConnection(code=1000)))
            except (OSError, LocalProtocolError):
                pass
        super().close()


class WssConnection(WsConnection, TlsConnection):
    """WebSocket over TLS: WebSocket frames in (``feed_plain``) and out (``send_message``), TLS below."""


class WsTransport(TcpTransport):
    """A WebSocket server on ``host``:0 (any path) plus outgoing WebSocket connections, reused."""

    name = "ws"

    def __init__(self, host: str, reactor: Reactor, sink: Sink, *, max_size: int, timeout: float,
                 ws: WsConfig | None = None) -> None:
        self.ws = ws or WsConfig()
        super().__init__(host, reactor, sink, max_size=max_size, timeout=timeout)

    def new_connection(self, sock: socket.socket, remote: Address, *, outgoing: bool) -> Connection:
        conn = WsConnection(sock, remote, self, outgoing=outgoing, max_size=self.max_size)
        conn.configure_ws(self.ws)
        return conn


class WssTransport(WsTransport):
    """WebSocket over TLS (RFC 7118 "WSS"): ``tls`` as for ``TlsTransport``."""

    name = "wss"

    def __init__(self, host: str, reactor: Reactor, sink: Sink, *, max_size: int, timeout: float,
                 tls: TlsConfig, ws: WsConfig | None = None) -> None:
        self.tls = tls
        super().__init__(host, reactor, sink, max_size=max_size, timeout=timeout, ws=ws)

    def new_connection(self, sock: socket.socket, remote: Address, *, outgoing: bool) -> Connection:
        conn = WssConnection(sock, remote, self, outgoing=outgoing, max_size=self.max_size)
        conn.configure_tls(self.tls)
        conn.configure_ws(self.ws)
        return conn
