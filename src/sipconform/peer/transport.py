"""UDP and TCP on one local address; knows nothing of SIP beyond framing bytes (§18).

A transport reads when the reactor says its socket is readable and hands ``TransportEvent`` values
to its ``sink`` (the peer): a datagram, a framed stream message, a stream that cannot be framed, a
connection opened, ready (a TLS or WebSocket handshake done), failed (a handshake refused) or closed.
A connection closed or refused by the remote is an event, never an exception. The address family
comes from the host, so ``::1`` works as well as ``127.0.0.1``.

A ``Connection`` is a stack of byte layers, each overridable by a subclass (``peer.tls``,
``peer.websocket``): ``on_readable`` -> ``feed_raw`` (socket bytes; TLS decrypts) -> ``feed_plain``
(plaintext; TCP frames by Content-Length, WebSocket by its frames) -> ``Packet``; and ``send`` (one SIP
message; WebSocket frames it) -> ``send_plain`` (TLS encrypts) -> ``send_raw`` (the socket).
"""

from __future__ import annotations

import itertools
import socket
from dataclasses import dataclass
from typing import Callable, Union

from sipconform.peer import loss
from sipconform.peer.reactor import Reactor
from sipconform.sip.errors import ParseError
from sipconform.sip.framing import StreamFramer
from sipconform.sip.transports import MESSAGE_FRAMED

__all__ = [
    "Address", "Connection", "ConnectionClosed", "ConnectionFailed", "ConnectionOpened", "ConnectionReady", "Packet",
    "SendFailed", "StreamBroken", "TcpTransport", "TransportEvent", "UdpTransport", "closed_tcp_port", "family_of",
]

Address = tuple[str, int]

_RECV_SIZE = 65536
_MAX_DATAGRAMS_PER_WAKE = 256  # bounded drain; the reactor comes back for the rest
_MAX_MESSAGES_PER_READ = 256


def family_of(host: str) -> socket.AddressFamily:
    """The address family of ``host`` (IPv4 or IPv6), from the resolver, not from its spelling."""
    return socket.getaddrinfo(host, 0, proto=socket.IPPROTO_UDP)[0][0]


def closed_tcp_port(host: str) -> int:
    """A TCP port of ``host`` where nothing listens: bound, then closed, so a connection there is refused."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _addr(sockaddr: tuple[object, ...]) -> Address:
    return str(sockaddr[0]), int(sockaddr[1])  # type: ignore[call-overload]


@dataclass(frozen=True)
class Packet:
    """A whole datagram (UDP), framed stream message (TCP, TLS) or WebSocket message (WS, WSS)."""

    data: bytes
    source: Address
    local: Address
    transport: str
    connection: Connection | None = None

    @property
    def stream(self) -> bool:
        """Framed by Content-Length (TCP, TLS), so the field is mandatory (§18.3, §20.14)."""
        return self.connection is not None and self.transport not in MESSAGE_FRAMED


@dataclass(frozen=True)
class StreamBroken:
    """The stream could not be framed (§18.3); the connection is closed, ``data`` is what was pending."""

    error: ParseError
    data: bytes
    connection: Connection


@dataclass(frozen=True)
class ConnectionOpened:
    connection: Connection


@dataclass(frozen=True)
class ConnectionReady:
    """A handshake on ``connection`` completed (TLS, WebSocket upgrade); ``detail`` says what was agreed."""

    connection: Connection
    detail: str


@dataclass(frozen=True)
class ConnectionFailed:
    """A handshake on ``connection`` failed; the connection is closed. ``reason`` names the side, the
    name and why (e.g. "TLS handshake as client with 127.0.0.1:5061 (server name 'dut.example')
    failed: certificate verify failed: self-signed certificate"). ``unsent``: messages queued for it."""

    connection: Connection
    reason: str
    unsent: int = 0


@dataclass(frozen=True)
class ConnectionClosed:
    """Closed by the remote (or reset). ``pending``: bytes of a message it never finished."""

    connection: Connection
    pending: bytes


@dataclass(frozen=True)
class SendFailed:
    """The OS refused a send or reported an ICMP error (e.g. port unreachable) for ``remote``."""

    error: OSError
    local: Address
    remote: Address | None
    transport: str


TransportEvent = Union[Packet, StreamBroken, ConnectionOpened, ConnectionReady, ConnectionFailed, ConnectionClosed,
                       SendFailed]
Sink = Callable[[TransportEvent], None]


class UdpTransport:
    """One UDP socket bound to ``host``:0."""

    name = "udp"
    reliable = False

    def __init__(self, host: str, reactor: Reactor, sink: Sink) -> None:
        self.reactor, self.sink = reactor, sink
        self.sock = socket.socket(family_of(host), socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.setblocking(False)
        self.address: Address = _addr(self.sock.getsockname())
        reactor.register(self.sock, self._on_readable)

    def send(self, data: bytes, to: Address, connection: Connection | None = None) -> Connection | None:
        """Send one datagram. Raises ``OSError`` (too big, refused by an earlier ICMP error)."""
        if (lossy := loss.active()) is not None and lossy.drop("out"):
            return None  # lost on the way (``peer.loss``): the wire log shows what the peer meant to send
        self.sock.sendto(data, to)
        return None

    def _on_readable(self) -> None:
        for _ in range(_MAX_DATAGRAMS_PER_WAKE):
            try:
                data, sockaddr = self.sock.recvfrom(_RECV_SIZE)
            except BlockingIOError:
                return
            except OSError as exc:  # ICMP port unreachable from an earlier send, surfaced on recv
                self.sink(SendFailed(exc, self.address, None, self.name))
                continue
            if (lossy := loss.active()) is not None and lossy.drop("in"):
                continue  # lost on the way (``peer.loss``)
            self.sink(Packet(data, _addr(sockaddr), self.address, self.name))

    def close(self) -> None:
        self.reactor.unregister(self.sock)
        self.sock.close()


_connection_ids = itertools.count(1)


class Connection:
    """One TCP connection with its ``StreamFramer`` (§18.3: messages cut by Content-Length).

    ``ready``: the handshakes of the layers above TCP are done (at once, for plain TCP); until then
    ``send`` queues the messages, sent in order once ready and counted as ``unsent`` if one fails."""

    def __init__(self, sock: socket.socket, remote: Address, transport: TcpTransport, *, outgoing: bool,
                 max_size: int) -> None:
        self.id = next(_connection_ids)
        self.sock = sock
        self.transport = transport
        self.outgoing = outgoing
        self.local: Address = _addr(sock.getsockname())
        self.remote = remote
        self.framer = StreamFramer(max_size)
        self.max_size = max_size
        self.open = True
        self.handshakes = 0  # handshakes of the layers above TCP still to complete
        self.deadline: float | None = None  # when they must have completed (set by the transport)
        self.queued: list[bytes] = []

    def __repr__(self) -> str:
        side = "to" if self.outgoing else "from"
        state = "" if self.open else " closed"
        return f"<{self.transport.name.upper()} connection #{self.id} {side} {self.remote[0]}:{self.remote[1]}{state}>"

    @property
    def ready(self) -> bool:
        return self.handshakes == 0

    def start(self) -> None:
        """Begin the handshakes of the layers above TCP (none here)."""

    def pending(self) -> bytes:
        """Bytes of a message begun and not finished."""
        return self.framer.pending

    def unfinished(self) -> str | None:
        """The handshake under way ("TLS handshake as client with ...", each layer names its own), or None."""
        return None

    # -- out: message -> plaintext -> socket ----------------------------------------------------------------
    def send(self, data: bytes) -> None:
        """Send one SIP message (queued until ``ready``). Raises ``OSError`` if the socket refuses it."""
        if not self.open:
            raise ConnectionResetError(f"{self!r} is closed")
        if not self.ready:
            self.queued.append(data)
            return
        self.send_message(data)

    def send_message(self, data: bytes) -> None:
        """One SIP message onto the byte stream (as it is, on TCP and TLS)."""
        self.send_plain(data)

    def send_plain(self, data: bytes) -> None:
        self.send_raw(data)

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)  # socket in timeout mode: bounded by the transport's send timeout

    def handshake_done(self, detail: str) -> None:
        """One layer's handshake is done: say so; after the last one, send what was queued."""
        self.handshakes -= 1
        self.transport.sink(ConnectionReady(self, detail))
        if self.ready:
            queued, self.queued = self.queued, []
            for data in queued:
                if self.open:
                    self.send_message(data)

    def fail(self, reason: str) -> None:
        """A handshake failed: close and report it as an event (never raised into the reactor)."""
        if self.open:
            unsent = len(self.queued)
            self.queued = []
            self.transport.drop(self)
            self.transport.sink(ConnectionFailed(self, reason, unsent))

    # -- in: socket -> plaintext -> messages -------------------------------------------------------------
    def on_readable(self) -> None:
        if not self.open:
            return
        try:
            data = self.sock.recv(_RECV_SIZE)
        except (BlockingIOError, TimeoutError):
            return
        except OSError:  # reset by the remote
            data = b""
        if not data:
            self.closed_by_remote()
            return
        try:
            self.feed_raw(data)
        except OSError:  # a reply the layer owed (a TLS alert, a pong) could not be written
            self.closed_by_remote()

    def closed_by_remote(self) -> None:
        handshake = self.unfinished()
        if handshake is not None:
            self.fail(f"{handshake} failed: the remote closed the connection")
        elif self.open:
            self.transport.drop(self)
            self.transport.sink(ConnectionClosed(self, self.pending()))

    def feed_raw(self, data: bytes) -> None:
        self.feed_plain(data)

    def feed_plain(self, data: bytes) -> None:
        self.framer.feed(data)
        for _ in range(_MAX_MESSAGES_PER_READ):
            try:
                message = self.framer.next_message()
            except ParseError as exc:
                self.transport.drop(self)
                self.transport.sink(StreamBroken(exc, self.framer.pending, self))
                return
            if message is None:
                return
            self.deliver(message)

    def deliver(self, message: bytes) -> None:
        self.transport.sink(Packet(message, self.remote, self.local, self.transport.name, self))

    def close(self) -> None:
        if self.open:
            self.open = False
            self.transport.reactor.unregister(self.sock)
            self.sock.close()
            if self in self.transport.connections:
                self.transport.connections.remove(self)


class TcpTransport:
    """A TCP listener on ``host``:0 plus outgoing connections, one per remote address, reused."""

    name = "tcp"
    reliable = True

    def __init__(self, host: str, reactor: Reactor, sink: Sink, *, max_size: int, timeout: float) -> None:
        self.reactor, self.sink = reactor, sink
        self.max_size = max_size
        self.timeout = timeout  # bound for connect() and sendall()
        self.family = family_of(host)
        self.listener = socket.socket(self.family, socket.SOCK_STREAM)
        self.listener.bind((host, 0))
        self.listener.listen(16)
        self.listener.setblocking(False)
        self.address: Address = _addr(self.listener.getsockname())
        self.connections: list[Connection] = []
        reactor.register(self.listener, self._on_accept)
        reactor.add_source(self)

    def connection_to(self, remote: Address) -> Connection | None:
        """The open connection our side opened to ``remote``, else any open one from it."""
        matches = [c for c in self.connections if c.open and c.remote == remote]
        matches.sort(key=lambda c: not c.outgoing)
        return matches[0] if matches else None

    def connect(self, remote: Address) -> Connection:
        """Open a connection to ``remote`` (bounded by ``timeout``). Raises ``OSError`` if refused."""
        sock = socket.socket(self.family, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(remote)
        except OSError:
            sock.close()
            raise
        conn = self._adopt(sock, remote, outgoing=True)
        conn.start()
        return conn

    def send(self, data: bytes, to: Address, connection: Connection | None = None) -> Connection:
        """Send on ``connection`` if open, else on a connection to ``to`` (opened on first use)."""
        conn = connection if connection is not None and connection.open else self.connection_to(to)
        if conn is None:
            conn = self.connect(to)
        conn.send(data)
        return conn

    def drop(self, conn: Connection) -> None:
        conn.close()

    def _on_accept(self) -> None:
        try:
            sock, sockaddr = self.listener.accept()
        except (BlockingIOError, ConnectionAbortedError, TimeoutError):
            return
        conn = self._adopt(sock, _addr(sockaddr), outgoing=False)
        self.sink(ConnectionOpened(conn))
        conn.start()

    def new_connection(self, sock: socket.socket, remote: Address, *, outgoing: bool) -> Connection:
        """A connection with the layers of this transport (plain TCP here; TLS, WebSocket in subclasses)."""
        return Connection(sock, remote, self, outgoing=outgoing, max_size=self.max_size)

    def _adopt(self, sock: socket.socket, remote: Address, *, outgoing: bool) -> Connection:
        sock.settimeout(self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle delay between messages
        conn = self.new_connection(sock, remote, outgoing=outgoing)
        self.connections.append(conn)
        self.reactor.register(sock, conn.on_readable)
        if not conn.ready:
            conn.deadline = self.reactor.now() + self.timeout
        return conn

    # -- reactor interface: a handshake that never completes fails after ``timeout`` (64*T1) -----------
    def next_deadline(self) -> float | None:
        return min((c.deadline for c in self.connections if c.deadline is not None and not c.ready), default=None)

    def on_timers(self, now: float) -> None:
        for conn in list(self.connections):
            if conn.deadline is not None and not conn.ready and conn.deadline <= now:
                handshake = conn.unfinished() or f"handshake with {conn.remote}"
                conn.fail(f"{handshake} failed: not completed within {self.timeout:.3g} s (no answer)")

    def close(self) -> None:
        self.reactor.remove_source(self)
        for conn in list(self.connections):
            conn.close()
        self.reactor.unregister(self.listener)
        self.listener.close()

