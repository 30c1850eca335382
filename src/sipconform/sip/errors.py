"""Typed errors of the sans-IO core. Bad input from a DUT is a ``ParseError``, never a stray exception."""

from __future__ import annotations

__all__ = ["ParseError", "SipError"]


class SipError(Exception):
    """Base of every error the SIP core raises on purpose."""


class ParseError(SipError):
    """A message that cannot be read as SIP.

    ``kind`` is a short stable code (``truncated``, ``start-line``, ``header``, ``missing-header``,
    ``content-length``, ``encoding``, ``too-large``, ``value``) so callers can tell cases apart;
    ``line`` (1-based) and ``offset`` (byte offset in the input) say where, when known.
    """

    def __init__(self, kind: str, message: str, *, line: int | None = None, offset: int | None = None) -> None:
        self.kind = kind
        self.line = line
        self.offset = offset
        where = []
        if line is not None:
            where.append(f"line {line}")
        if offset is not None:
            where.append(f"offset {offset}")
        super().__init__(f"{message} ({', '.join(where)})" if where else message)
