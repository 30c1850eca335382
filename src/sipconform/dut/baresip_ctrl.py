"""Client for baresip's ``ctrl_tcp`` module: the upper tester of the baresip UAC.

Wire format (baresip 1.0): netstrings ``LEN:JSON,`` both ways. A command is
``{"command": "dial", "params": "sip:x@h:p", "token": "7"}``; its answer is
``{"response": true, "ok": true, "data": "...", "token": "7"}``; events arrive unasked
on the same connection, e.g. ``{"event": true, "class": "call", "type": "CALL_RINGING", ...}``.
Every read is bounded by a deadline; events seen while waiting are kept in ``events``.
"""

from __future__ import annotations

import itertools
import json
import select
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BaresipControl", "BaresipControlError", "CtrlResponse"]


class BaresipControlError(RuntimeError):
    """The control connection failed, timed out or got something that is not a netstring."""


@dataclass(frozen=True)
class CtrlResponse:
    ok: bool
    data: str
    token: str | None
    raw: dict[str, Any] = field(default_factory=dict)


class BaresipControl:
    """One ctrl_tcp connection. ``with BaresipControl(host, port) as ctl: ctl.dial(uri)``."""

    def __init__(self, host: str, port: int, timeout: float = 3.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        try:
            self._sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as exc:
            raise BaresipControlError(f"baresip ctrl_tcp at {host}:{port}: {exc.strerror or exc}") from None
        self._buf = b""
        self._tokens = itertools.count(1)
        self.events: list[dict[str, Any]] = []
        self._event_cursor = 0

    # ---- commands ----------------------------------------------------------------------
    def command(self, name: str, params: str = "", timeout: float | None = None) -> CtrlResponse:
        """Send one command and wait (bounded) for the response carrying its token."""
        token = str(next(self._tokens))
        body = json.dumps({"command": name, "params": params, "token": token}).encode()
        try:
            self._sock.sendall(b"%d:%s," % (len(body), body))
        except OSError as exc:
            raise BaresipControlError(f"baresip ctrl_tcp send {name!r}: {exc.strerror or exc}") from None
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            msg = self._read_message(deadline)
            if msg is None:
                raise BaresipControlError(f"baresip ctrl_tcp: no response to {name!r} in time")
            if msg.get("response") and str(msg.get("token")) == token:
                return CtrlResponse(bool(msg.get("ok")), str(msg.get("data", "")), token, msg)

    def dial(self, uri: str) -> CtrlResponse:
        return self._checked("dial", uri)

    def hangup(self, params: str = "") -> CtrlResponse:
        return self._checked("hangup", params)

    def accept(self) -> CtrlResponse:
        return self._checked("accept")

    def _checked(self, name: str, params: str = "") -> CtrlResponse:
        resp = self.command(name, params)
        if not resp.ok:
            raise BaresipControlError(f"baresip refused {name} {params!r}: {resp.data.strip()}")
        return resp

    # ---- events ------------------------------------------------------------------------
    def poll_events(self, timeout: float = 0.0) -> list[dict[str, Any]]:
        """Read whatever arrives within ``timeout``; return the events not returned before."""
        deadline = time.monotonic() + timeout
        while self._read_message(deadline) is not None:
            pass
        new = self.events[self._event_cursor:]
        self._event_cursor = len(self.events)
        return new

    def wait_event(self, match: str | Callable[[dict[str, Any]], bool], timeout: float) -> dict[str, Any] | None:
        """First event (already seen or arriving within ``timeout``) whose type is ``match``
        (or for which ``match(event)`` is true); None at the deadline."""
        pred = match if callable(match) else (lambda ev: ev.get("type") == match)
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for ev in self.events[seen:]:
                if pred(ev):
                    return ev
            seen = len(self.events)
            if self._read_message(deadline) is None and time.monotonic() >= deadline:
                return None

    # ---- framing -----------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict[str, Any] | None:
        """Next JSON object off the wire (events are also appended to ``events``)."""
        while True:
            msg = self._take_netstring()
            if msg is not None:
                if msg.get("event"):
                    self.events.append(msg)
                return msg
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self._sock], [], [], remaining)
            if not ready:
                return None
            try:
                chunk = self._sock.recv(65536)
            except OSError as exc:
                raise BaresipControlError(f"baresip ctrl_tcp recv: {exc.strerror or exc}") from None
            if not chunk:
                raise BaresipControlError("baresip ctrl_tcp: connection closed by baresip")
            self._buf += chunk

    def _take_netstring(self) -> dict[str, Any] | None:
        colon = self._buf.find(b":")
        if colon < 0:
            return None
        length_s = self._buf[:colon]
        if not length_s.isdigit():
            raise BaresipControlError(f"baresip ctrl_tcp: not a netstring: {self._buf[:40]!r}")
        end = colon + 1 + int(length_s)
        if len(self._buf) < end + 1:
            return None
        payload, trailer = self._buf[colon + 1:end], self._buf[end:end + 1]
        self._buf = self._buf[end + 1:]
        if trailer != b",":
            raise BaresipControlError("baresip ctrl_tcp: netstring without its trailing comma")
        try:
            obj = json.loads(payload)
        except ValueError:
            raise BaresipControlError(f"baresip ctrl_tcp: not JSON: {payload[:80]!r}") from None
        return obj if isinstance(obj, dict) else {"value": obj}

    # ---- lifetime ----------------------------------------------------------------------
    def close(self) -> None:
        try:
            self._sock.close()
        except OSError:
            pass

    def __enter__(self) -> BaresipControl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
