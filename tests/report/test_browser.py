"""The HTML matrix and a ladder SVG in headless Chromium: they render, and fit a 1280 px wide window
without a horizontal scroll bar. Skipped when Chromium is not installed (apt-get install chromium;
scripts/setup.sh installs it). The screenshots are kept in the test's tmp_path to look at."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from sipconform.report import matrix
from sipconform.report.ladder import ladder_svg

BROWSER = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="headless Chromium is not installed (apt-get install "
                                "chromium; scripts/setup.sh installs it): the pages are not rendered")
WIDTH, HEIGHT = 1280, 900
MEASURE = ("<script>addEventListener('load',function(){var d=document.documentElement;"
           "d.setAttribute('data-scroll-width',d.scrollWidth);d.setAttribute('data-client-width',d.clientWidth);"
           "});</script>")


def chromium(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [str(BROWSER), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
           f"--user-data-dir={tmp_path / 'chromium-profile'}", f"--window-size={WIDTH},{HEIGHT}", *args, url]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def check_page(tmp_path: Path, page: Path, shot: Path) -> None:
    chromium(tmp_path, page.as_uri(), f"--screenshot={shot}")
    assert png_size(shot) == (WIDTH, HEIGHT)
    dom = chromium(tmp_path, page.as_uri(), "--dump-dom").stdout
    scroll = int(re.search(r'data-scroll-width="(\d+)"', dom).group(1))
    client = int(re.search(r'data-client-width="(\d+)"', dom).group(1))
    assert client > 1000 and scroll <= client, f"horizontal overflow: {scroll} px content in a {client} px window"


def test_matrix_of_a_section_9_run_fits_the_window(tmp_path, make_results):
    """All UAS clauses with tests, three devices x UDP/TCP (six columns), every verdict present."""
    from sipconform.clauses import CATALOGUE

    ids = [c.id for c in CATALOGUE.values() if c.status == "tested" and "uas" in c.roles]
    words = ["pass", "fail", "warn", "inconclusive", "not-applicable", "error"]
    sources = [make_results(tmp_path / dut, dut, {cid: words[(i + n) % len(words)] for i, cid in enumerate(ids)})
               for n, dut in enumerate(("kamailio-uas", "baresip-uas", "acme-pbx-4.2"))]
    page = matrix.write_matrix(sources, tmp_path / "matrix.html", title="SIP conformance matrix")
    check_page(tmp_path, page, tmp_path / "matrix.png")


def test_ladder_of_a_proxy_exchange_fits_the_window(tmp_path, make_exchange):
    """Four lifelines (upstream, DUT, two downstream peers) with long request lines."""
    from dataclasses import replace

    up = make_exchange("udp", peer=("127.0.0.1", 40001), dut=("127.0.0.1", 5080))
    down = [replace(r, peer=name, local=("127.0.0.1", port), direction={"in": "out", "out": "in"}[r.direction])
            for name, port in (("downstream", 40002), ("downstream2", 40003)) for r in up]
    records = sorted([*up, *down], key=lambda r: r.time)
    svg = tmp_path / "ladder.svg"
    svg.write_text(ladder_svg(records, dut=("127.0.0.1", 5080), dut_name="kamailio-proxy",
                              title="conformance/proxy/test_rfc3261_16_10_2_cancel_pending_branches.py::"
                                    "test_cancel_reaches_every_ringing_branch[kamailio-proxy-udp-two-branches]",
                              subtitle="RFC3261-16.10-2 · MUST · verdict: pass"))
    page = tmp_path / "ladder.html"
    page.write_text(f"<!DOCTYPE html><html><head>{MEASURE}</head><body style='margin:0'>"
                    f"<img src='ladder.svg' alt='ladder'></body></html>")
    check_page(tmp_path, page, tmp_path / "ladder.png")
    chromium(tmp_path, svg.as_uri(), f"--screenshot={tmp_path / 'ladder-svg.png'}")
    assert png_size(tmp_path / "ladder-svg.png") == (WIDTH, HEIGHT)
