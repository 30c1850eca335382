"""Which transport class a name selects: ``udp``, ``tcp``, ``tls``, ``ws``, ``wss`` (``sip.transports``).

TLS and WSS need a ``TlsConfig`` (what the peer presents and trusts: ``certs.ThrowawayPki().config()``
for a run-time CA, or ``tls.client_context``/``server_context`` from a lab's files); WS and WSS take
an optional ``WsConfig`` (path, subprotocol).
"""

from __future__ import annotations

from typing import Union

from sipconform.peer.reactor import Reactor
from sipconform.peer.tls import TlsConfig, TlsTransport
from sipconform.peer.transport import Sink, TcpTransport, UdpTransport
from sipconform.peer.websocket import WsConfig, WssTransport, WsTransport
from sipconform.sip.transports import TRANSPORTS

__all__ = ["MAX_MESSAGE_SIZE", "Transport", "open_transport"]

MAX_MESSAGE_SIZE = 4 * 1024 * 1024
"""The suite's own limit on one message (a peer's ``max_size``): far above any SIP message a DUT may send
(RFC 3261 sets no size on a stream; a UDP datagram holds 65 507 bytes at most), so that reaching it is a
limit of the suite, judged ``error`` (``sipconform.plugin.evidence``), never a fault of the DUT."""

Transport = Union[UdpTransport, TcpTransport]
"""UDP, or a connection-oriented transport (TCP and its TLS / WebSocket subclasses)."""


def open_transport(name: str, host: str, reactor: Reactor, sink: Sink, *, max_size: int, timeout: float,
                   tls: TlsConfig | None = None, ws: WsConfig | None = None) -> Transport:
    """Bind the transport called ``name`` on ``host``:0 (IPv4 or IPv6, from the host)."""
    if name not in TRANSPORTS:
        raise ValueError(f"transport must be one of {', '.join(TRANSPORTS)}, not {name!r}")
    if name in ("tls", "wss") and tls is None:
        raise ValueError(f"transport {name!r} needs tls=TlsConfig(...) (e.g. certs.ThrowawayPki().config())")
    if name == "udp":
        return UdpTransport(host, reactor, sink)
    if name == "tcp":
        return TcpTransport(host, reactor, sink, max_size=max_size, timeout=timeout)
    if name == "tls":
        assert tls is not None
        return TlsTransport(host, reactor, sink, max_size=max_size, timeout=timeout, tls=tls)
    if name == "ws":
        return WsTransport(host, reactor, sink, max_size=max_size, timeout=timeout, ws=ws)
    assert tls is not None
    return WssTransport(host, reactor, sink, max_size=max_size, timeout=timeout, tls=tls, ws=ws)
