"""The SIP messages a test's peers sent and received, as a classic libpcap file (LINKTYPE_RAW).

Each UDP record becomes one IPv4 (or IPv6) + UDP packet with the real addresses and ports. For
TCP a plausible stream is synthesised per connection: SYN, SYN-ACK, ACK when it first appears
(from the side that opened it), then the messages in segments of at most 1448 bytes with
per-direction sequence numbers, and FIN when the wire log says it closed, so Wireshark
reassembles the SIP messages. Checksums are computed. Transport notes carry no bytes and are left
out; timestamps are the record times after ``epoch``.

TLS, WS and WSS records hold the plaintext SIP the peer saw (decrypted, WebSocket frames removed), so
they are written as the same synthetic TCP stream and Wireshark shows SIP at once; a port that tshark
decodes as HTTP (80, 8080, ...: ``PLAINTEXT_PORTS``) is written as 5060 there, since the bytes are no
longer HTTP. The wire log keeps the real port; the TLS session keys (``keylog``) decrypt a capture of
the real traffic.
"""

from __future__ import annotations

import hashlib
import ipaddress
import struct
import time
from collections.abc import Iterable
from pathlib import Path

from sipconform.peer.wirelog import WireRecord

__all__ = ["LINKTYPE_RAW", "PLAINTEXT_PORTS", "STREAM_TRANSPORTS", "pcap_bytes", "write_pcap"]

LINKTYPE_RAW = 101
MSS = 1448
_SYN, _FIN, _PSH, _ACK = 0x02, 0x01, 0x08, 0x10
Address = tuple[str, int]

STREAM_TRANSPORTS = frozenset(("tcp", "tls", "ws", "wss"))
"""Transports written as a TCP stream; the others (UDP) as datagrams."""

PLAINTEXT_PORTS = {port: 5060 for port in (80, 631, 1900, 2710, 2869, 3128, 3132, 3689, 5985, 8080, 8088, 11371)}
"""tshark's default HTTP ports (``tshark -G decodes``), where SIP without its WebSocket frames would be
taken for broken HTTP, and the port it is written on instead. On its TLS ports (5061, 443) tshark falls
back to the SIP heuristics, so they stay as they are."""


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


class _Packets:
    """Builds IP packets and the pcap records that carry them."""

    def __init__(self) -> None:
        self.out: list[bytes] = []
        self.ip_id = 0

    def _ip(self, src: Address, dst: Address, proto: int, l4: bytes) -> bytes:
        s, d = ipaddress.ip_address(src[0].strip("[]")), ipaddress.ip_address(dst[0].strip("[]"))
        if s.version != d.version:  # cannot happen on the wire; keep the file readable anyway
            s, d = ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("127.0.0.1")
        if s.version == 4:
            self.ip_id = (self.ip_id + 1) & 0xFFFF
            head = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), self.ip_id, 0x4000, 64, proto, 0,
                               s.packed, d.packed)
            return head[:10] + struct.pack("!H", _checksum(head)) + head[12:] + l4
        return struct.pack("!IHBB16s16s", 6 << 28, len(l4), proto, 64, s.packed, d.packed) + l4

    @staticmethod
    def _pseudo(src: Address, dst: Address, proto: int, length: int) -> bytes:
        s, d = ipaddress.ip_address(src[0].strip("[]")), ipaddress.ip_address(dst[0].strip("[]"))
        if s.version == 4 and d.version == 4:
            return s.packed + d.packed + struct.pack("!BBH", 0, proto, length)
        return s.packed + d.packed + struct.pack("!I3xB", length, proto)

    def add(self, ts: float, packet: bytes) -> None:
        sec = int(ts)
        usec = min(int(round((ts - sec) * 1e6)), 999_999)
        self.out.append(struct.pack("<IIII", sec, usec, len(packet), len(packet)) + packet)

    def udp(self, ts: float, src: Address, dst: Address, payload: bytes) -> None:
        length = 8 + len(payload)
        head = struct.pack("!HHHH", src[1], dst[1], length, 0)
        csum = _checksum(self._pseudo(src, dst, 17, length) + head + payload) or 0xFFFF
        self.add(ts, self._ip(src, dst, 17, head[:6] + struct.pack("!H", csum) + payload))

    def tcp(self, ts: float, src: Address, dst: Address, seq: int, ack: int, flags: int, payload: bytes = b"") -> None:
        head = struct.pack("!HHIIBBHHH", src[1], dst[1], seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags,
                           65535, 0, 0)
        csum = _checksum(self._pseudo(src, dst, 6, len(head) + len(payload)) + head + payload)
        self.add(ts, self._ip(src, dst, 6, head[:16] + struct.pack("!H", csum) + head[18:] + payload))


class _Stream:
    """One synthesised TCP connection: next sequence number per direction."""

    def __init__(self, a: Address, b: Address) -> None:
        self.next = {a: _isn(a, b), b: _isn(b, a)}
        self.closed = False

    def send(self, pk: _Packets, ts: float, src: Address, dst: Address, payload: bytes, flags: int = _PSH | _ACK
             ) -> None:
        for i in range(0, max(len(payload), 1), MSS):
            chunk = payload[i:i + MSS]
            pk.tcp(ts, src, dst, self.next[src], self.next[dst], flags, chunk)
            self.next[src] += len(chunk)


def _isn(src: Address, dst: Address) -> int:
    return int.from_bytes(hashlib.sha1(f"{src}>{dst}".encode(), usedforsecurity=False).digest()[:4], "big")


def _ends(rec: WireRecord) -> tuple[Address, Address] | None:
    if rec.remote is None:
        return None
    local, remote = rec.local, rec.remote
    if rec.transport in ("tls", "ws", "wss"):
        local, remote = _plaintext(local), _plaintext(remote)
    return (local, remote) if rec.direction == "out" else (remote, local)


def _plaintext(addr: Address) -> Address:
    return addr[0], PLAINTEXT_PORTS.get(addr[1], addr[1])


def pcap_bytes(records: Iterable[WireRecord], *, epoch: float | None = None) -> bytes:
    """The pcap file for ``records`` (any order; sorted by time). ``epoch``: the wall-clock time of
    the test's start (default: now minus the last record's time)."""
    recs = sorted(records, key=lambda r: (r.time, r.seq))
    if epoch is None:
        epoch = time.time() - (recs[-1].time if recs else 0.0)
    pk = _Packets()
    streams: dict[frozenset[Address], _Stream] = {}
    ours = {r.local for r in recs}
    for rec in recs:
        ends = _ends(rec)
        if ends is None or (rec.direction != "out" and rec.remote in ours):
            continue  # between two of our peers: the sender's record is the packet
        src, dst = ends
        ts = epoch + rec.time
        if rec.transport not in STREAM_TRANSPORTS:
            if rec.direction in ("in", "out") and rec.raw:
                pk.udp(ts, src, dst, rec.raw)
            continue
        key = frozenset((src, dst))
        stream = streams.get(key)
        if stream is None or stream.closed:
            if rec.direction == "note" and "accepted" not in rec.note:
                continue  # a note about a connection we never saw carry data
            # a note's ends are (remote, local): for "connection accepted", the remote opened it
            stream = streams[key] = _Stream(src, dst)
            stream.send(pk, ts, src, dst, b"", _SYN)
            stream.next[src] += 1
            pk.tcp(ts, dst, src, stream.next[dst], stream.next[src], _SYN | _ACK)
            stream.next[dst] += 1
            stream.send(pk, ts, src, dst, b"", _ACK)
        if rec.direction == "note":
            if "closed" in rec.note:
                a, b = (src, dst) if "by the remote" in rec.note else (dst, src)  # the closer first
                stream.send(pk, ts, a, b, b"", _FIN | _ACK)
                stream.next[a] += 1
                stream.send(pk, ts, b, a, b"", _FIN | _ACK)
                stream.next[b] += 1
                stream.send(pk, ts, a, b, b"", _ACK)
                stream.closed = True
            continue
        if rec.raw and "never sent" not in rec.note:  # queued for a handshake that failed
            stream.send(pk, ts, src, dst, rec.raw)
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, LINKTYPE_RAW)
    return header + b"".join(pk.out)


def write_pcap(path: Path | str, records: Iterable[WireRecord], *, epoch: float | None = None) -> Path:
    """Write ``pcap_bytes(records)`` to ``path`` (parent directories made); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pcap_bytes(records, epoch=epoch))
    return path
