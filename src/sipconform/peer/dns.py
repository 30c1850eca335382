"""The suite's DNS server (RFC 3263 tests): the DUT resolves a test domain through it, and the suite
decides where SRV, NAPTR and A records of that domain point (its own peers on loopback).

A ``ZoneServer`` answers UDP and TCP queries on one address from the records a test put in (``add``);
the wire format is dnslib's. A name it holds records for gets them (NOERROR, or NOERROR with no answer
for another type: RFC 2308 NODATA); any other name NXDOMAIN. Every answer rotates its record set by one,
as authoritative servers commonly do (BIND's cyclic rrset-order): records of equal SRV priority have no
order (RFC 2782), and a client that relied on the order of the answer would not make the same choice
twice. Every query is logged (``queries``) for the verdict's evidence.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from dnslib import AAAA, NAPTR, QTYPE, RCODE, RR, SRV, A, DNSLabel, DNSRecord
from dnslib.server import DNSHandler, DNSLogger, DNSServer

__all__ = ["Query", "Zone", "ZoneServer", "fqdn"]

TTL = 300
"""Seconds: longer than any test, so a caching DUT keeps one answer for the whole transaction."""

_RDATA = {"A": A, "AAAA": AAAA, "SRV": SRV, "NAPTR": NAPTR}


def fqdn(name: str) -> str:
    """``name`` lower-cased with the root dot: the key records are held under."""
    return name.lower().rstrip(".") + "."


@dataclass(frozen=True)
class Query:
    """One question the server got: when (monotonic seconds), from where, over which transport, what."""

    time: float
    client: tuple[str, int]
    transport: str
    name: str
    qtype: str

    def __str__(self) -> str:
        return f"{self.qtype} {self.name} (from {self.transport.upper()} {self.client[0]}:{self.client[1]})"


class _Resolver:
    """dnslib's resolver interface over the server's records."""

    def __init__(self, server: ZoneServer) -> None:
        self.server = server

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        reply = request.reply()
        transport = "tcp" if handler.protocol == "tcp" else "udp"
        for question in request.questions:
            name, qtype = fqdn(str(question.qname)), QTYPE.get(question.qtype)
            self.server.record(Query(time.monotonic(), handler.client_address[:2], transport, name, str(qtype)))
            found = self.server.answer(name, str(qtype))
            if found is None:
                reply.header.rcode = RCODE.NXDOMAIN
            for rr in found or ():
                reply.add_answer(rr)
        return reply


class ZoneServer:
    """A DNS server on ``host:port`` (UDP, and TCP unless ``tcp=False``) answering from ``add``-ed records.

    Port 0 picks a free port (``address`` tells which). Thread-safe; ``close()`` stops it (idempotent)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, tcp: bool = True) -> None:
        self._records: dict[tuple[str, str], deque[RR]] = {}
        self._names: set[str] = set()
        self._lock = threading.Lock()
        self.queries: list[Query] = []
        quiet = DNSLogger(logf=lambda _line: None)
        resolver = _Resolver(self)
        self._servers = [DNSServer(resolver, address=host, port=port, logger=quiet)]
        port = self._servers[0].server.server_address[1]
        if tcp:
            try:
                self._servers.append(DNSServer(resolver, address=host, port=port, tcp=True, logger=quiet))
            except OSError:
                self._close_servers()
                raise
        self._threads = [threading.Thread(target=s.server.serve_forever, kwargs={"poll_interval": 0.05},
                                          name=f"dns-{host}:{port}", daemon=True) for s in self._servers]
        for thread in self._threads:
            thread.start()
        self.address: tuple[str, int] = (host, port)

    def add(self, name: str, rtype: str, *rdata: Any, ttl: int = TTL) -> None:
        """A record: ``add("t1.example.test", "A", "127.0.0.1")``, ``add("_sip._udp.example.test", "SRV",
        0, 1000, 5060, "t1.example.test")`` (priority, weight, port, target), ``add(name, "NAPTR", 50, 50,
        "s", "SIP+D2U", "", "_sip._udp.example.test")``."""
        key = (fqdn(name), rtype.upper())
        data = _RDATA[key[1]](*(_rdata_arg(key[1], i, len(rdata), a) for i, a in enumerate(rdata)))
        with self._lock:
            self._records.setdefault(key, deque()).append(RR(key[0], getattr(QTYPE, key[1]), rdata=data, ttl=ttl))
            self._names.add(key[0])

    def clear(self) -> None:
        """Forget every record (queries stay logged)."""
        with self._lock:
            self._records.clear()
            self._names.clear()

    def queries_for(self, suffix: str) -> list[Query]:
        """The logged queries for ``suffix`` or a name under it."""
        tail = fqdn(suffix)
        with self._lock:
            return [q for q in self.queries if q.name == tail or q.name.endswith("." + tail)]

    def close(self) -> None:
        for server in self._servers:
            server.server.shutdown()
        self._close_servers()
        for thread in self._threads:
            thread.join(1.0)
        self._threads = []

    def __enter__(self) -> ZoneServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _close_servers(self) -> None:
        for server in self._servers:
            server.server.server_close()
        self._servers = []

    def record(self, query: Query) -> None:
        with self._lock:
            self.queries.append(query)

    def answer(self, name: str, qtype: str) -> list[RR] | None:
        """The record set (rotated by one for the next answer), [] for NODATA, None for NXDOMAIN."""
        with self._lock:
            found = self._records.get((name, qtype))
            if not found:
                return [] if name in self._names else None
            answer = list(found)
            found.rotate(-1)
            return answer


@dataclass
class Zone:
    """A test's own domain ``origin`` on a ``ZoneServer``: the names the test publishes live under it."""

    server: ZoneServer
    origin: str

    def name(self, label: str = "") -> str:
        """``label.origin`` (the origin itself for ""), without the root dot."""
        return f"{label}.{self.origin}" if label else self.origin

    def add(self, name: str, rtype: str, *rdata: Any) -> None:
        self.server.add(name, rtype, *rdata)

    def queries(self) -> list[Query]:
        """What the DUT asked about this zone so far."""
        return self.server.queries_for(self.origin)

    def asked(self) -> str:
        """The zone's queries for a message: "SRV _sip._udp.x (from ...), A t2.x (...)" or "nothing"."""
        return ", ".join(str(q) for q in self.queries()) or "nothing"


def _rdata_arg(rtype: str, index: int, count: int, value: Any) -> Any:
    """dnslib's form of argument ``index`` of a ``rtype`` record: the SRV target and NAPTR replacement as a
    domain name, the NAPTR flags, service and regexp as bytes, anything else as given."""
    if rtype in ("SRV", "NAPTR") and index == count - 1:
        return DNSLabel(fqdn(value))
    return value.encode() if rtype == "NAPTR" and isinstance(value, str) else value
