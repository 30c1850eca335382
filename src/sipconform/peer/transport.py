"""UDP and TCP on one local address; knows nothing of SIP beyond framing bytes (§18).

A transport reads when the reactor says its socket is readable and hands ``TransportEvent`` values
to its ``sink`` (the peer): a datagram, a framed stream message, a stream that cannot be framed, a
connection opened or closed. A connection closed by the remote is an event, never an exception.
The address family comes from the host, so ``::1`` works as well as ``127.0.0.1``.
"""

from __future__ import annotations

import itertools
import socket
from dataclasses import dataclass
from typing import Callable, Union

from sipconform.peer.reactor import Reactor
from sipconform.sip.errors import ParseError
from sipconform.sip.framing import StreamFramer

__all__ = [
    "Address", "Connection", "ConnectionClosed", "ConnectionOpened", "Packet", "SendFailed", "StreamBroken",
    "TcpTransport", "Transport", "TransportEvent", "UdpTransport", "family_of",
]

Address = tuple[str, int]

_RECV_SIZE = 65536
_MAX_DATAGRAMS_PER_WAKE = 256  # bounded drain; the reactor comes back for the rest
_MAX_MESSAGES_PER_READ = 256


def family_of(host: str) -> socket.AddressFamily:
    """The address family of ``host`` (IPv4 or IPv6), from the resolver, not from its spelling."""
    return socket.getaddrinfo(host, 0, proto=socket.IPPROTO_UDP)[0][0]


def _addr(sockaddr: tuple[object, ...]) -> Address:
    return str(sockaddr[0]), int(sockaddr[1])  # type: ignore[call-overload]


@dataclass(frozen=True)
class Packet:
    """A whole datagram (UDP) or a whole framed message (TCP)."""

    data: bytes
    source: Address
    local: Address
    transport: str
    connection: Connection | None = None


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


TransportEvent = Union[Packet, StreamBroken, ConnectionOpened, ConnectionClosed, SendFailed]
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
            self.sink(Packet(data, _addr(sockaddr), self.address, self.name))

    def close(self) -> None:
        self.reactor.unregister(self.sock)
        self.sock.close()


_connection_ids = itertools.count(1)


class Connection:
    """One TCP connection with its ``StreamFramer`` (§18.3: messages cut by Content-Length)."""

    def __init__(self, sock: socket.socket, remote: Address, transport: TcpTransport, *, outgoing: bool,
                 max_size: int) -> None:
        self.id = next(_connection_ids)
        self.sock = sock
        self.transport = transport
        self.outgoing = outgoing
        self.local: Address = _addr(sock.getsockname())
        self.remote = remote
        self.framer = StreamFramer(max_size)
        self.open = True

    def __repr__(self) -> str:
        side = "to" if self.outgoing else "from"
        return f"<TCP connection #{self.id} {side} {self.remote[0]}:{self.remote[1]}{'' if self.open else ' closed'}>"

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)  # socket in timeout mode: bounded by the transport's send timeout

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
            self.transport.drop(self)
            self.transport.sink(ConnectionClosed(self, self.framer.pending))
            return
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
            self.transport.sink(Packet(message, self.remote, self.local, "tcp", self))

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
        return self._adopt(sock, remote, outgoing=True)

    def send(self, data: bytes, to: Address, connection: Connection | None = None) -> Connection:
        """Send on ``connection`` if open, else on a connection to ``to`` (opened on first use)."""
        conn = connection if connection is not None and connection.open else self.connection_to(to)
        if conn is None:
            conn = self.connect(to)
        conn.send(data)
        return conn

    def listen_on(self, port: int) -> None:
        """Listen on ``port`` instead (raises ``OSError`` if it is taken); the old listener is closed."""
        sock = socket.socket(self.family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.address[0], port))
            sock.listen(16)
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        self.reactor.unregister(self.listener)
        self.listener.close()
        self.listener, self.address = sock, _addr(sock.getsockname())
        self.reactor.register(sock, self._on_accept)

    def drop(self, conn: Connection) -> None:
        conn.close()

    def _on_accept(self) -> None:
        try:
            sock, sockaddr = self.listener.accept()
        except (BlockingIOError, ConnectionAbortedError):
            return
        self.sink(ConnectionOpened(self._adopt(sock, _addr(sockaddr), outgoing=False)))

    def _adopt(self, sock: socket.socket, remote: Address, *, outgoing: bool) -> Connection:
        sock.settimeout(self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle delay between messages
        conn = Connection(sock, remote, self, outgoing=outgoing, max_size=self.max_size)
        self.connections.append(conn)
        self.reactor.register(sock, conn.on_readable)
        return conn

    def close(self) -> None:
        for conn in list(self.connections):
            conn.close()
        self.reactor.unregister(self.listener)
        self.listener.close()


Transport = Union[UdpTransport, TcpTransport]
