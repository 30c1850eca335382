"""The project's words: DUT roles, transports and requirement levels (DESIGN.md).

A foundation module: the clause catalogue, the DUT profile, the markers and the reports all
speak this vocabulary; it imports nothing of the project.
"""

from __future__ import annotations

__all__ = ["LEVELS", "RELIABLE", "ROLES", "TRANSPORTS"]

ROLES = ("uas", "uac", "proxy", "stateless-proxy")
"""The roles a DUT can be tested in (RFC 3261 §6: user agent client/server, proxy; §16.11 stateless)."""

TRANSPORTS = ("udp", "tcp", "tls", "ws", "wss")
"""The transports the suite speaks (RFC 3261 §18, §26.2; RFC 7118: WebSocket, secure WebSocket)."""

RELIABLE = ("tcp", "tls", "ws", "wss")
"""The reliable ones (RFC 3261 §17.1.1.2: no retransmission timers; RFC 7118 §5), the ``reliable`` that
``requires(transport=...)`` accepts."""

LEVELS = ("MUST", "SHOULD", "MAY", "INFO")
"""Normalised requirement levels (RFC 2119); only MUST makes a failed assertion a hard ``fail``."""
