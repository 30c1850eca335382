"""The ladder SVG: well-formed, every message's first line, lifelines, readable width."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sipconform.peer.clock import FakeClock
from sipconform.peer.wirelog import WireLog, merge
from sipconform.report.ladder import ladder_svg, lifelines

NS = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg.split("\n", 1)[1]).iter(f"{NS}text")]


def test_svg_is_well_formed_and_shows_every_first_line(udp_records):
    svg = ladder_svg(udp_records, dut=("127.0.0.1", 5070), dut_name="kamailio-uas", title="t::x[udp]")
    root = ET.fromstring(svg.split("\n", 1)[1])
    assert root.tag == f"{NS}svg"
    shown = texts(svg)
    for rec in udp_records:
        assert rec.message is not None and rec.message.start_line in shown
    assert len(list(root.iter(f"{NS}line"))) == len(udp_records) + 2  # arrows + two lifelines


def test_headers_the_clause_is_about_and_relative_time(udp_records):
    shown = "\n".join(texts(ladder_svg(udp_records)))
    assert "branch z9hG4bKmain-1a2b3c4d-1" in shown
    assert "CSeq 1 CANCEL" in shown and "CSeq 1 INVITE" in shown
    assert "To tag dut-tag-42" in shown
    assert "Call-ID main-1a2b3…" in shown  # shortened
    assert "+0.012s" in shown and "+0.086s" in shown


def test_lifelines_name_peer_and_dut_with_addresses(udp_records):
    lines, index = lifelines(udp_records, ("127.0.0.1", 5070), "kamailio-uas")
    assert lines == [("peer", "127.0.0.1:40123"), ("kamailio-uas", "127.0.0.1:5070")]
    assert index == {"peer": 0, "": 1}


def test_proxy_layout_upstream_dut_downstream_and_bounded_width():
    clock = FakeClock()
    logs = [WireLog(clock, peer=name) for name in ("upstream", "downstream", "downstream2")]
    dut = ("127.0.0.1", 5080)
    for i, log in enumerate(logs):
        clock.advance(0.01)
        log.record("out" if i == 0 else "in", "udp", ("127.0.0.1", 41000 + i), dut,
                   b"INVITE sip:x@y SIP/2.0\r\n\r\n")
    log = logs[0]
    log.record("note", "udp", ("127.0.0.1", 41000), None, b"", note="send failed: refused")
    svg = ladder_svg(merge(*logs), dut=dut, dut_name="kamailio-proxy")
    root = ET.fromstring(svg.split("\n", 1)[1])
    assert int(root.get("width")) <= 1240  # 4 lifelines stay within a 1280 px window
    heads = [t for t in texts(svg) if t in ("upstream", "kamailio-proxy", "downstream", "downstream2")]
    assert heads == ["upstream", "kamailio-proxy", "downstream", "downstream2"]
    assert any("send failed" in t for t in texts(svg))


def test_unparseable_bytes_and_control_characters_stay_well_formed():
    from sipconform.sip.errors import ParseError

    log = WireLog(FakeClock(), peer="peer")
    log.record("in", "udp", ("127.0.0.1", 1), ("127.0.0.1", 2), b"\x00\x01garbage <&>\r\n",
               error=ParseError("start-line", "not SIP"))
    svg = ladder_svg(log.records)
    ET.fromstring(svg.split("\n", 1)[1])
    assert any(t.startswith("!! unparseable") for t in texts(svg))


def test_empty_trace_says_so():
    assert "(no traffic)" in texts(ladder_svg([]))
