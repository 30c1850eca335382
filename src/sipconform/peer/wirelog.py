"""A timestamped record of every byte a peer sent and received, for report sections and later reporters.

``WireLog.records`` is the accessor list (ladder diagrams, pcap export read it); ``render_text()``
gives the readable form: time since the test started, peer, transport, local and remote address with
a direction arrow, the first line, then the whole message, indented. Input that could not be parsed
is shown with the ``ParseError`` text and the raw bytes, escaped.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

from sipconform.peer.clock import Clock
from sipconform.sip.errors import ParseError
from sipconform.sip.message import Message

__all__ = ["WireLog", "WireRecord", "merge", "render_records"]

Address = tuple[str, int]
_MAX_RAW_SHOWN = 4096
_sequence = itertools.count(1)  # one order across every log of the process, for merging


@dataclass(frozen=True)
class WireRecord:
    """One datagram or stream message in or out, or a transport note (``direction == "note"``)."""

    seq: int
    time: float                 # seconds since the test started
    direction: str              # "in" | "out" | "note"
    peer: str
    transport: str              # "udp" | "tcp" | "tls" | "ws" | "wss" (plaintext SIP in ``raw`` for all)
    local: Address
    remote: Address | None
    raw: bytes
    message: Message | None = None
    error: ParseError | None = None
    note: str = ""              # "retransmission", "absorbed", "dropped (test hook)", ...
    connection: int | None = None

    @property
    def ip_version(self) -> int:
        """4 or 6, from the local address (a peer binds one family)."""
        return 6 if ":" in self.local[0] else 4

    @property
    def network(self) -> str:
        """``TLS over IPv6``: the transport and the IP version, for reports."""
        return f"{self.transport.upper()} over IPv{self.ip_version}"

    @property
    def first_line(self) -> str:
        if self.message is not None:
            return self.message.start_line
        if self.error is not None:
            return f"!! unparseable: {self.error}"
        return self.note

    def render(self) -> str:
        arrow = {"out": "->", "in": "<-"}.get(self.direction, "--")
        remote = f"{_fmt(self.remote)}" if self.remote else "*"
        conn = f" #{self.connection}" if self.connection is not None else ""
        note = f"  ({self.note})" if self.note and self.direction != "note" else ""
        head = (f"[+{self.time:8.3f} s] {self.peer} {self.transport.upper()}{conn} "
                f"{_fmt(self.local)} {arrow} {remote}  {self.first_line}{note}")
        if self.message is not None:
            body = str(self.message)
        elif self.raw:
            body = _escaped(self.raw)
        else:
            return head
        return head + "\n" + "\n".join("    " + line for line in body.rstrip("\r\n").splitlines())


def _fmt(addr: Address) -> str:
    host, port = addr
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _escaped(raw: bytes) -> str:
    shown = raw[:_MAX_RAW_SHOWN].decode("utf-8", "backslashreplace").replace("\r", "\\r")
    more = f"\n... {len(raw) - _MAX_RAW_SHOWN} more bytes" if len(raw) > _MAX_RAW_SHOWN else ""
    return shown + more


class WireLog:
    """The wire log of one peer. Time is relative to ``start`` (the test's start)."""

    def __init__(self, clock: Clock, *, start: float | None = None, peer: str = "peer") -> None:
        self.clock = clock
        self.start = clock.now() if start is None else start
        self.peer = peer
        self._records: list[WireRecord] = []

    @property
    def records(self) -> list[WireRecord]:
        """Every record so far, in order (a copy)."""
        return list(self._records)

    def __iter__(self) -> Iterator[WireRecord]:
        return iter(list(self._records))

    def __len__(self) -> int:
        return len(self._records)

    def record(self, direction: str, transport: str, local: Address, remote: Address | None, raw: bytes, *,
               message: Message | None = None, error: ParseError | None = None, note: str = "",
               connection: int | None = None) -> WireRecord:
        rec = WireRecord(next(_sequence), self.clock.now() - self.start, direction, self.peer, transport, local,
                         remote, raw, message, error, note, connection)
        self._records.append(rec)
        return rec

    def annotate(self, rec: WireRecord, note: str) -> WireRecord:
        """Add ``note`` to a record already written (e.g. "absorbed", known only after routing)."""
        new = replace(rec, note=f"{rec.note}, {note}" if rec.note else note)
        for i in range(len(self._records) - 1, -1, -1):
            if self._records[i].seq == rec.seq:
                self._records[i] = new
                break
        return new

    def render_text(self) -> str:
        return render_records(self._records)


def merge(*logs: WireLog) -> list[WireRecord]:
    """The records of several peers' logs in one time order (for a test with several peers)."""
    return sorted((r for log in logs for r in log.records), key=lambda r: (r.time, r.seq))


def render_records(records: Iterable[WireRecord]) -> str:
    text = "\n".join(r.render() for r in records)
    return text or "(no traffic)"
