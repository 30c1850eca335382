"""Helpers for the reference-DUT tests: a raw stdlib SIP endpoint (UDP or TCP), as a fixture.

Deliberately independent of sipconform.sip/peer: these tests check the launchers and the
real DUTs' wire behaviour with nothing of the suite in between.
"""

from __future__ import annotations

import re
import select
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

HOST = "127.0.0.1"


@dataclass
class Msg:
    """One SIP message as received: start line, headers in order, body."""

    start: str
    headers: list[tuple[str, str]]
    body: bytes
    raw: bytes
    source: tuple[str, int] | None = None

    @property
    def is_response(self) -> bool:
        return self.start.startswith("SIP/2.0 ")

    @property
    def status(self) -> int:
        return int(self.start.split()[1]) if self.is_response else 0

    @property
    def method(self) -> str:
        return self.start.split()[0] if not self.is_response else self.cseq[1]

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def get(self, name: str) -> str:
        values = self.all(name)
        assert values, f"no {name} header in:\n{self.raw.decode(errors='replace')}"
        return values[0]

    @property
    def cseq(self) -> tuple[int, str]:
        num, method = self.get("CSeq").split()
        return int(num), method

    def tag(self, name: str) -> str | None:
        m = re.search(r";\s*tag=([^;>\s]+)", self.get(name))
        return m.group(1) if m else None

    def branch(self) -> str:
        m = re.search(r";\s*branch=([^;\s,]+)", self.all("Via")[0])
        assert m, self.all("Via")[0]
        return m.group(1)


def parse(data: bytes, source: tuple[str, int] | None = None) -> Msg:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", errors="replace").split("\r\n")
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return Msg(lines[0], headers, body, data, source)


class Endpoint:
    """A raw SIP socket: UDP, or TCP (client connect / server accept), Content-Length framing."""

    def __init__(self, transport: str, connect: tuple[str, int] | None = None) -> None:
        self.transport = transport
        self.conn: socket.socket | None = None
        self._buf = b""
        if transport == "udp":
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind((HOST, 0))
        elif connect is not None:
            self.sock = socket.create_connection(connect, timeout=3, source_address=(HOST, 0))
            self.conn = self.sock
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.bind((HOST, 0))
            self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.log: list[str] = []

    def send(self, data: bytes, addr: tuple[str, int] | None = None) -> None:
        self.log.append(">>> " + data.decode(errors="replace"))
        if self.transport == "udp":
            assert addr is not None
            self.sock.sendto(data, addr)
        else:
            assert self.conn is not None, "no TCP connection yet"
            self.conn.sendall(data)

    def recv(self, timeout: float) -> Msg | None:
        """Next complete message within ``timeout`` seconds, else None."""
        deadline = time.monotonic() + timeout
        while True:
            if self.transport != "udp" and (msg := self._take()) is not None:
                return msg
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if self.transport != "udp" and self.conn is None:
                if not select.select([self.sock], [], [], remaining)[0]:
                    return None
                self.conn, _ = self.sock.accept()
                continue
            src = self.sock if self.transport == "udp" else self.conn
            assert src is not None
            if not select.select([src], [], [], remaining)[0]:
                return None
            if self.transport == "udp":
                data, addr = src.recvfrom(65535)
                msg = parse(data, addr)
                self.log.append("<<< " + data.decode(errors="replace"))
                return msg
            chunk = src.recv(65535)
            if not chunk:
                return None
            self._buf += chunk

    def _take(self) -> Msg | None:
        end = self._buf.find(b"\r\n\r\n")
        if end < 0:
            return None
        m = re.search(rb"\r\n(?:Content-Length|l)\s*:\s*(\d+)", self._buf[:end + 2], re.I)
        total = end + 4 + (int(m.group(1)) if m else 0)
        if len(self._buf) < total:
            return None
        data, self._buf = self._buf[:total], self._buf[total:]
        self.log.append("<<< " + data.decode(errors="replace"))
        return parse(data)

    def expect(self, timeout: float, what: str, pred=lambda m: True) -> Msg:  # noqa: ANN001
        """First message matching ``pred`` within ``timeout`` (others are skipped and logged)."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            msg = self.recv(remaining)
            if msg is None:
                break
            if pred(msg):
                return msg
        pytest.fail(f"no {what} within {timeout:.1f}s; wire so far:\n" + "\n".join(self.log))

    def close(self) -> None:
        for s in (self.conn, self.sock):
            if s is not None:
                s.close()


def request(method: str, ruri: str, ep: Endpoint, *, branch: str, call_id: str, from_tag: str,
            cseq: int, to_tag: str | None = None, sdp: bool = False, extra: str = "") -> bytes:
    """A request from ``ep`` (its Via names the endpoint's transport and port)."""
    body = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n") if sdp else ""
    to = f"<{ruri}>" + (f";tag={to_tag}" if to_tag else "")
    tp = ";transport=tcp" if ep.transport == "tcp" else ""
    return (f"{method} {ruri} SIP/2.0\r\n"
            f"Via: SIP/2.0/{ep.transport.upper()} {HOST}:{ep.port};branch={branch}\r\n"
            f"Max-Forwards: 70\r\nFrom: <sip:tester@{HOST}>;tag={from_tag}\r\nTo: {to}\r\n"
            f"Call-ID: {call_id}\r\nCSeq: {cseq} {method}\r\n"
            f"Contact: <sip:tester@{HOST}:{ep.port}{tp}>\r\n{extra}"
            + ("Content-Type: application/sdp\r\n" if sdp else "")
            + f"Content-Length: {len(body)}\r\n\r\n{body}").encode()


def response(req: Msg, code: int, reason: str, to_tag: str | None, method: str | None = None) -> bytes:
    """A response to ``req`` (§8.2.6.2: Via, From, Call-ID, CSeq copied; To tag added)."""
    num, req_method = req.cseq
    to = req.get("To") + (f";tag={to_tag}" if to_tag and req.tag("To") is None else "")
    lines = [f"SIP/2.0 {code} {reason}"] + [f"Via: {v}" for v in req.all("Via")]
    lines += [f"From: {req.get('From')}", f"To: {to}", f"Call-ID: {req.get('Call-ID')}",
              f"CSeq: {num} {method or req_method}", "Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode()


def fresh_ids() -> dict[str, str]:
    return {"branch": "z9hG4bK" + uuid.uuid4().hex, "call_id": uuid.uuid4().hex + "@sipconform.test",
            "from_tag": uuid.uuid4().hex[:10]}


@pytest.fixture
def sipwire() -> Iterator[SimpleNamespace]:
    """Raw SIP tools; endpoints made through ``sipwire.endpoint(...)`` are closed afterwards."""
    made: list[Endpoint] = []

    def endpoint(transport: str, connect: tuple[str, int] | None = None) -> Endpoint:
        ep = Endpoint(transport, connect)
        made.append(ep)
        return ep

    yield SimpleNamespace(endpoint=endpoint, request=request, response=response, ids=fresh_ids, parse=parse)
    for ep in made:
        ep.close()
