"""The pcap writer: read back by a tiny reader (addresses, ports, payloads, TCP sequence numbers), and
decoded as SIP by tshark where it is installed."""

from __future__ import annotations

import shutil
import struct
import subprocess

import pytest

from sipconform.report.pcap import LINKTYPE_RAW, pcap_bytes, write_pcap


def read_pcap(data: bytes) -> list[dict]:
    """Classic pcap with LINKTYPE_RAW, IPv4/IPv6, UDP/TCP -> one dict per packet."""
    magic, _, _, _, _, _, link = struct.unpack("<IHHiIII", data[:24])
    assert magic == 0xA1B2C3D4 and link == LINKTYPE_RAW
    out, pos = [], 24
    while pos < len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[pos:pos + 16])
        pkt = data[pos + 16:pos + 16 + incl]
        assert incl == orig == len(pkt)
        pos += 16 + incl
        if pkt[0] >> 4 == 4:
            ihl = (pkt[0] & 0xF) * 4
            total, proto = struct.unpack("!H", pkt[2:4])[0], pkt[9]
            assert total == len(pkt)
            src, dst, l4 = ".".join(map(str, pkt[12:16])), ".".join(map(str, pkt[16:20])), pkt[ihl:]
        else:
            plen, proto = struct.unpack("!HB", pkt[4:7])
            assert plen == len(pkt) - 40
            import ipaddress
            src, dst, l4 = str(ipaddress.IPv6Address(pkt[8:24])), str(ipaddress.IPv6Address(pkt[24:40])), pkt[40:]
        sport, dport = struct.unpack("!HH", l4[:4])
        p = {"ts": sec + usec / 1e6, "src": (src, sport), "dst": (dst, dport), "proto": proto}
        if proto == 17:
            assert struct.unpack("!H", l4[4:6])[0] == len(l4)
            p["payload"] = l4[8:]
        else:
            seq, ack, off, flags = struct.unpack("!IIBB", l4[4:14])
            p.update(seq=seq, ack=ack, flags=flags, payload=l4[(off >> 4) * 4:])
        out.append(p)
    return out


def test_udp_packets_carry_each_message_with_real_addresses(udp_records):
    packets = read_pcap(pcap_bytes(udp_records, epoch=1_700_000_000.0))
    assert [p["payload"] for p in packets] == [r.raw for r in udp_records]
    assert all(p["proto"] == 17 for p in packets)
    assert packets[0]["src"] == ("127.0.0.1", 40123) and packets[0]["dst"] == ("127.0.0.1", 5070)
    assert packets[1]["src"] == ("127.0.0.1", 5070) and packets[1]["dst"] == ("127.0.0.1", 40123)
    assert packets[0]["ts"] == pytest.approx(1_700_000_000.0 + udp_records[0].time, abs=1e-5)


def test_tcp_stream_has_handshake_and_contiguous_sequence_numbers(tcp_records):
    packets = read_pcap(pcap_bytes(tcp_records))
    assert [p["flags"] for p in packets[:3]] == [0x02, 0x12, 0x10]  # SYN, SYN-ACK, ACK
    data = [p for p in packets if p["payload"]]
    assert b"".join(p["payload"] for p in data if p["src"][1] == 40123) == b"".join(
        r.raw for r in tcp_records if r.direction == "out")
    next_seq: dict = {}
    for p in packets[3:]:
        if p["src"] in next_seq:
            assert p["seq"] == next_seq[p["src"]]
        next_seq[p["src"]] = p["seq"] + len(p["payload"])


def test_large_tcp_message_is_segmented_and_ipv6_works(make_exchange):
    from dataclasses import replace

    records = make_exchange("tcp", peer=("::1", 40123), dut=("::1", 5070))
    big = replace(records[0], raw=records[0].raw + b"x" * 5000)
    packets = read_pcap(pcap_bytes([big]))
    data = [p for p in packets if p["payload"]]
    assert len(data) == 4 and max(len(p["payload"]) for p in data) <= 1448
    assert data[0]["src"] == ("::1", 40123)


def _tshark_sip(path) -> list[str]:
    proc = subprocess.run(["tshark", "-n", "-r", str(path), "-Y", "sip", "-T", "fields", "-e", "sip.Request-Line",
                           "-e", "sip.Status-Line"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [line.strip() for line in proc.stdout.splitlines() if line.strip()]


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed (apt-get install tshark; "
                    "scripts/setup.sh installs it): the pcap is only checked by the tiny reader")
@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_tshark_decodes_every_message_as_sip(tmp_path, make_exchange, transport):
    records = make_exchange(transport, dut=("127.0.0.1", 5070), dut_src=("127.0.0.1", 5070))
    lines = _tshark_sip(write_pcap(tmp_path / f"{transport}.pcap", records))
    assert lines == [r.message.start_line for r in records]
