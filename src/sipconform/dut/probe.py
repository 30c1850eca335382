"""A self-contained SIP liveness probe: one OPTIONS (RFC 3261 §11), any response = alive.

Stdlib sockets only, on purpose: the launchers must not depend on the rest of the suite.
Over UDP the OPTIONS is retransmitted every ``retry_s`` (§17.1.2.2 style, fixed interval)
until a response or the deadline; over TCP a refused connect is retried the same way.
The socket is not connected, so a response from another source port still counts (§18.2.2).
``pause`` lets a launcher stop early when the DUT process has died.

Over TLS, WS and WSS the handshakes are the peer's (``SipPeer``): a failed one raises ``HandshakeFailed``
with the peer's one sentence (which side, which name, why: an untrusted certificate stops the run at once,
it is not retried until the deadline).
"""

from __future__ import annotations

import select
import socket
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sipconform.peer.tls import TlsConfig
    from sipconform.peer.websocket import WsConfig

__all__ = ["HandshakeFailed", "build_options", "probe"]


class HandshakeFailed(ValueError):
    """A TLS or WebSocket handshake with the DUT failed; the message is the peer's reason."""

Pause = Callable[[float], bool]  # block up to N s (0: just check); False = give up (the DUT died)


def build_options(host: str, port: int, transport: str, local_port: int, user: str | None = None) -> tuple[bytes, str]:
    """An OPTIONS with a fresh branch, tag and Call-ID; returns (bytes, Call-ID)."""
    call_id = f"{uuid.uuid4().hex}@sipconform.probe"
    branch = f"z9hG4bK-probe-{uuid.uuid4().hex[:16]}"
    tag = uuid.uuid4().hex[:10]
    hostport = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    target = f"{user}@{hostport}" if user else hostport
    param = ";transport=tcp" if transport == "tcp" else ""
    msg = (
        f"OPTIONS sip:{target}{param} SIP/2.0\r\n"
        f"Via: SIP/2.0/{transport.upper()} 127.0.0.1:{local_port};branch={branch};rport\r\n"
        f"Max-Forwards: 70\r\n"
        f"From: <sip:probe@127.0.0.1>;tag={tag}\r\n"
        f"To: <sip:{target}>\r\n"
        f"Call-ID: {call_id}\r\n"
        f"CSeq: 1 OPTIONS\r\n"
        f"Contact: <sip:probe@127.0.0.1:{local_port}{param}>\r\n"
        f"Accept: application/sdp\r\n"
        f"User-Agent: sipconform-probe\r\n"
        f"Content-Length: 0\r\n\r\n"
    )
    return msg.encode(), call_id


def _status_line(data: bytes, call_id: str) -> str | None:
    head = data.split(b"\r\n\r\n", 1)[0].decode("utf-8", errors="replace")
    lines = head.split("\r\n")
    if lines and lines[0].startswith("SIP/2.0 ") and call_id in head:
        return lines[0]
    return None


def _select_pause(seconds: float) -> bool:
    if seconds > 0:
        select.select([], [], [], seconds)
    return True


def probe(host: str, port: int, transport: str = "udp", deadline_s: float = 3.0, *,
          retry_s: float = 0.1, user: str | None = None, pause: Pause | None = None,
          tls: TlsConfig | None = None, ws: WsConfig | None = None) -> str | None:
    """Send OPTIONS to ``host:port`` over ``transport``; return the first response's status line.

    Returns None when nothing answered within ``deadline_s`` seconds (or ``pause`` said stop). ``tls``/``ws``:
    the peer's configuration over TLS, WS, WSS (``HandshakeFailed`` when a handshake fails).
    """
    if transport not in ("udp", "tcp", "tls", "ws", "wss"):
        raise ValueError(f"transport must be one of udp, tcp, tls, ws, wss, got {transport!r}")
    deadline = time.monotonic() + deadline_s
    wait = pause or _select_pause
    if transport not in ("udp", "tcp"):
        return _probe_peer(host, port, transport, deadline, retry_s, user, wait, tls, ws)
    if transport == "udp":
        return _probe_udp(host, port, deadline, retry_s, user, wait)
    return _probe_tcp(host, port, deadline, retry_s, user, wait)


def _probe_peer(host: str, port: int, transport: str, deadline: float, retry_s: float, user: str | None,
                wait: Pause, tls: TlsConfig | None, ws: WsConfig | None) -> str | None:
    """OPTIONS from a ``SipPeer`` (the handshakes are its own); a refused connection is retried."""
    from sipconform.peer import NoMessage, SipPeer
    from sipconform.peer.core import SendError
    from sipconform.sip.transports import sip_uri
    from sipconform.sip.timers import Timers

    local = "::1" if ":" in host else "127.0.0.1"
    while (remaining := deadline - time.monotonic()) > 0:
        if not wait(0.0):
            return None
        with SipPeer(transport, timers=Timers(), host=local, name="probe", tls=tls, ws=ws) as peer:
            hostport = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            uri = sip_uri(user or "", hostport, transport).replace(":@", ":", 1)  # no user: the DUT itself (§11)
            options = peer.request("OPTIONS", (host, port), uri=uri)
            try:
                peer.send(options, (host, port))
                return str(peer.expect_response(options, within=remaining).start_line)
            except SendError:  # refused: not listening (yet)
                failures = []
            except NoMessage:
                failures = list(peer.transport_failures)
        handshake = [f for f in failures if "refused" not in f.lower() and "reset" not in f.lower()]
        if handshake:
            raise HandshakeFailed(handshake[0])
        if not wait(min(retry_s, max(deadline - time.monotonic(), 0.0))):
            return None
    return None


def _probe_udp(host: str, port: int, deadline: float, retry_s: float, user: str | None, wait: Pause) -> str | None:
    six = ":" in host
    with socket.socket(socket.AF_INET6 if six else socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("::1" if six else "127.0.0.1", 0))
        msg, call_id = build_options(host, port, "udp", sock.getsockname()[1], user)
        while (remaining := deadline - time.monotonic()) > 0:
            if not wait(0.0):
                return None
            try:
                sock.sendto(msg, (host, port))
            except OSError:
                pass
            until = time.monotonic() + min(retry_s, remaining)
            while (left := until - time.monotonic()) > 0:
                ready, _, _ = select.select([sock], [], [], left)
                if not ready:
                    break
                try:
                    data = sock.recv(65535)
                except OSError:
                    break
                if (line := _status_line(data, call_id)) is not None:
                    return line
    return None


def _probe_tcp(host: str, port: int, deadline: float, retry_s: float, user: str | None, wait: Pause) -> str | None:
    while (remaining := deadline - time.monotonic()) > 0:
        if not wait(0.0):
            return None
        try:
            sock = socket.create_connection((host, port), timeout=remaining,
                                            source_address=("::1" if ":" in host else "127.0.0.1", 0))
        except OSError:
            if not wait(min(retry_s, max(deadline - time.monotonic(), 0.0))):
                return None
            continue
        with sock:
            msg, call_id = build_options(host, port, "tcp", sock.getsockname()[1], user)
            buf = b""
            try:
                sock.sendall(msg)
                while b"\r\n\r\n" not in buf:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return None
                    sock.settimeout(left)
                    chunk = sock.recv(65535)
                    if not chunk:
                        break
                    buf += chunk
            except OSError:
                pass
            if (line := _status_line(buf, call_id)) is not None:
                return line
            if not wait(min(retry_s, max(deadline - time.monotonic(), 0.0))):
                return None
    return None
