"""The transports a SIP element names, and what each implies: Via token, reliability, framing, URI, port.

§18 and §26.2 of RFC 3261 (UDP, TCP, TLS; ``sips:`` means TLS on every hop), RFC 7118 §5 (WebSocket:
Via transport "WS" and "WSS", URI parameter ``transport=ws``, a secure one written ``sips:``).
Pure data and functions, no sockets.
"""

from __future__ import annotations

__all__ = [
    "MESSAGE_FRAMED", "RELIABLE", "SECURE", "TRANSPORTS", "default_port", "sip_uri", "via_token",
]

TRANSPORTS = ("udp", "tcp", "tls", "ws", "wss")
"""Every transport the peer speaks, by its lower-case name (the ``--sip-transport`` spelling)."""

RELIABLE = frozenset(("tcp", "tls", "ws", "wss"))
"""§17.1.1.2, §17.2.1: no retransmission timers (A, E, G) on these; RFC 7118 §5: WebSocket is reliable."""

MESSAGE_FRAMED = frozenset(("udp", "ws", "wss"))
"""One SIP message per datagram (§18.3) or per WebSocket message (RFC 7118 §5): Content-Length is not
what frames the message, so its absence is not an error (§20.14 requires it on stream transports only)."""

SECURE = frozenset(("tls", "wss"))
"""Transports that satisfy a ``sips:`` URI (§26.2.1; RFC 7118 §5.3 for WSS)."""

_DEFAULT_PORT = {"udp": 5060, "tcp": 5060, "tls": 5061, "ws": 80, "wss": 443}


def via_token(transport: str) -> str:
    """The Via transport token (§20.42, RFC 7118 §5.2): ``UDP``, ``TCP``, ``TLS``, ``WS``, ``WSS``."""
    return transport.upper()


def default_port(transport: str) -> int:
    """The port assumed when a sent-by or URI has none (§18.2.2 "the default port for that transport",
    §19.1.2: 5060, and 5061 for TLS; RFC 6455 §3 for WS and WSS: 80 and 443)."""
    return _DEFAULT_PORT.get(transport.lower(), 5060)


def sip_uri(user: str, hostport: str, transport: str) -> str:
    """The URI that reaches ``user`` at ``hostport`` over ``transport``.

    UDP: ``sip:`` alone; TCP: ``;transport=tcp`` (§19.1.1); TLS: ``sips:`` (§19.1, §26.2.1: "the SIPS URI
    scheme ... over TLS"); WS: ``;transport=ws``; WSS: ``sips:`` with ``;transport=ws`` (RFC 7118 §5.3).
    """
    scheme = "sips" if transport in SECURE else "sip"
    param = {"tcp": ";transport=tcp", "ws": ";transport=ws", "wss": ";transport=ws"}.get(transport, "")
    return f"{scheme}:{user}@{hostport}{param}"
