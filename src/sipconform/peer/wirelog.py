"""A timestamped record of every byte a peer sent and received, for report sections and later reporters.

``WireLog.records`` is the accessor list (ladder diagrams, pcap export read it); ``render_text()``
gives the readable form: time since the test started, peer, transport, local and remote address with
a direction arrow, the first line, then the whole message, indented. Input that could not be parsed
is shown with the ``ParseError`` text and the raw bytes, escaped; a message's malformations (the rules it
breaks, ``sip.malformations``) and a datagram's bytes beyond its Content-Length (discarded, §18.3) too.
``findings`` lists both kinds of bad input, for a verdict to name; ``over_limit`` the input larger than the
suite's own limit (not the DUT's fault), ``closings`` when the remote closed a stream connection.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

from sipconform.peer.clock import Clock
from sipconform.sip.errors import ParseError
from sipconform.sip.malformations import Malformation
from sipconform.sip.message import Message

__all__ = ["WireLog", "WireRecord", "closings", "findings", "merge", "over_limit", "render_records"]

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
    malformations: tuple[Malformation, ...] = ()  # what a received message breaks (``sip.malformations``)

    @property
    def discarded(self) -> bytes:
        """A received datagram's bytes beyond the message's Content-Length, discarded (§18.3)."""
        return self.raw[len(bytes(self.message)):] if self.message is not None and self.direction == "in" else b""

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
            if self.malformations:
                head += "\n    !! malformed: " + "; ".join(str(m) for m in self.malformations)
            if extra := self.discarded:
                body = body.rstrip("\r\n") + (f"\n-- {len(extra)} bytes after Content-Length, discarded "
                                               f"(RFC 3261 §18.3):\n" + _escaped(extra))
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
               connection: int | None = None, malformations: tuple[Malformation, ...] = ()) -> WireRecord:
        rec = WireRecord(next(_sequence), self.clock.now() - self.start, direction, self.peer, transport, local,
                         remote, raw, message, error, note, connection, malformations)
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


def findings(records: Iterable[WireRecord], *, limit: int = 5) -> list[str]:
    """The bad input among ``records``, once per kind and first line: "'SIP/2.0 487 Request Terminated': 2 To
    header fields, where one is allowed (RFC 3261 §7.3.1, §20.39)", or "unparseable: <ParseError>"."""
    seen: dict[str, int] = {}
    for rec in records:
        if rec.direction != "in":
            continue
        if rec.error is not None and rec.error.kind != "too-large":
            seen[f"unparseable: {rec.error}"] = seen.get(f"unparseable: {rec.error}", 0) + 1
        elif rec.message is not None:
            for found in rec.malformations:
                key = f"{rec.message.start_line[:60]!r}: {found}"
                seen[key] = seen.get(key, 0) + 1
    lines = [text + (f" ({count} copies)" if count > 1 else "") for text, count in seen.items()]
    return lines[:limit] + ([f"... {len(lines) - limit} more"] if len(lines) > limit else [])


def over_limit(records: Iterable[WireRecord]) -> list[str]:
    """Received input the suite could not take because of its own size limit: "message of N bytes exceeds
    the limit of M bytes" (a limit of the suite: judged ``error``, not a fault of the DUT)."""
    return list(dict.fromkeys(str(r.error) for r in records
                              if r.direction == "in" and r.error is not None and r.error.kind == "too-large"))


def closings(records: Iterable[WireRecord]) -> list[str]:
    """When the remote closed a stream connection: "closed the connection at +1.234 s" (the peer notes it,
    with or without the bytes of a message it never finished)."""
    return [f"closed the connection at +{r.time:.3f} s" for r in records
            if (r.direction, r.note) in (("note", "connection closed by the remote"), ("in", "connection closed"))]


def render_records(records: Iterable[WireRecord]) -> str:
    text = "\n".join(r.render() for r in records)
    return text or "(no traffic)"
