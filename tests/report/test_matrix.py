"""The HTML matrix: two devices side by side, clause rows by section, evidence links, not-run cells."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from sipconform.report import matrix


class Table(HTMLParser):
    """Rows of the matrix table: each a list of (tag, attrs, text) cells; links collected."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, dict, str]]] = []
        self.links: list[str] = []
        self._cell: list | None = None
        self._in_table = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag in ("td", "th"):
            self._cell = [tag, attrs, ""]
        elif tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(tuple(self._cell))
            self._cell = None
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[2] += data


def parse(html: str) -> Table:
    t = Table()
    t.feed(html)
    return t


def build(tmp_path: Path, make_results, conformant_and_faulty) -> tuple[str, Path]:
    good, bad = conformant_and_faulty
    a = make_results(tmp_path / "run-a", "acme-pbx", good)
    b = make_results(tmp_path / "run-b", "faulty-pbx", bad)
    out = tmp_path / "out" / "matrix.html"
    assert matrix.main([str(a), str(b), "-o", str(out)]) == 0
    return out.read_text(), out


def test_two_duts_side_by_side(tmp_path, make_results, conformant_and_faulty):
    html, _ = build(tmp_path, make_results, conformant_and_faulty)
    table = parse(html)
    head_top, head_low = table.rows[0], table.rows[1]
    assert [(c[2], c[1].get("colspan")) for c in head_top] == [("Clause", None), ("acme-pbx", "2"), ("faulty-pbx", "2")]
    assert [c[2] for c in head_low] == ["UDP", "TCP", "UDP", "TCP"]
    rows = {r[0][2].split()[0]: r for r in table.rows[2:] if len(r) == 5}
    assert set(rows) == {*conformant_and_faulty[0], "Count"}
    cells = {cid: [c[2] for c in rows[cid][1:]] for cid in rows}
    assert [c[1]["class"] for c in rows["RFC3261-9.2-10"][1:]] == ["v-pass", "v-pass", "v-fail", "v-fail"]
    assert all("✓ pass" in c for c in cells["RFC3261-9.2-10"][:2])
    assert all("✗ fail" in c for c in cells["RFC3261-9.2-10"][2:])
    assert [c[1]["class"] for c in rows["RFC3261-9.2-8"][1:]] == ["v-pass", "v-pass", "v-warn", "v-warn"]
    assert all("inconclusive" in c for c in cells["RFC3261-9.2-12"])


def test_rows_grouped_by_section_with_level_and_rfc_sentence(tmp_path, make_results, conformant_and_faulty):
    html, _ = build(tmp_path, make_results, conformant_and_faulty)
    table = parse(html)
    order = [r[0][2].split()[0] for r in table.rows[2:] if r and r[0][0] == "th"]
    assert order == ["RFC", "RFC3261-8.2.6.2-1", "RFC", "RFC3261-9.2-6", "RFC3261-9.2-8", "RFC3261-9.2-10",
                     "RFC3261-9.2-12", "Count"]
    sections = [r[0] for r in table.rows[2:] if r and r[0][1].get("scope") == "rowgroup"]
    assert [s[2] for s in sections] == ["RFC 3261 §8.2.6.2", "RFC 3261 §9.2"]
    row = next(r for r in table.rows if r[0][2].startswith("RFC3261-9.2-10"))
    assert "MUST" in row[0][2] and "the UAS answers the CANCEL request itself with a 200 (OK)" in row[0][2]
    assert "https://www.rfc-editor.org/rfc/rfc3261#section-9.2" in table.links
    row = next(r for r in table.rows if r[0][2].startswith("RFC3261-9.2-6"))  # a clause with known bug reports
    assert "guards against: CANCEL with no matching INVITE answered 200 instead of 481" in row[0][2]
    assert "https://github.com/pjsip/pjproject/issues/426" in table.links


def test_cells_link_to_existing_evidence_relative_to_the_page(tmp_path, make_results, conformant_and_faulty):
    html, out = build(tmp_path, make_results, conformant_and_faulty)
    local = [href for href in parse(html).links if not href.startswith("http")]
    assert local and all((out.parent / href).is_file() for href in local)
    assert any(h.startswith("../run-a/evidence/") and h.endswith(".svg") for h in local)
    assert any(h.startswith("../run-b/pcap/") and h.endswith(".pcap") for h in local)
    assert any(h.endswith(".txt") for h in local)


def test_missing_cell_is_not_run_never_pass(tmp_path, make_results):
    a = make_results(tmp_path, "dev", {"RFC3261-9.2-10": "pass"}, transports=("udp",), name="a.json")
    b = make_results(tmp_path, "dev2", {"RFC3261-9.2-8": "fail"}, transports=("udp",), name="b.json",
                     evidence=False)
    doc = json.loads(b.read_text())
    doc["aborted"] = "the run was interrupted: these results are partial"
    b.write_text(json.dumps(doc))
    html = matrix.build_matrix([json.loads(a.read_text()), doc], sources=[a, b], out=tmp_path / "m.html")
    table = parse(html)
    row = next(r for r in table.rows if r[0][2].startswith("RFC3261-9.2-8"))
    assert row[1][1]["class"] == "v-not-run" and "not run" in row[1][2] and "pass" not in row[1][2]
    assert "partial" in html


def test_same_dut_in_two_files_is_labelled_by_file(tmp_path, make_results):
    a = make_results(tmp_path, "dev", {"RFC3261-9.2-10": "pass"}, transports=("udp",), name="monday.json")
    b = make_results(tmp_path, "dev", {"RFC3261-9.2-10": "fail"}, transports=("udp",), name="tuesday.json")
    table = parse(matrix.build_matrix([json.loads(p.read_text()) for p in (a, b)], sources=[a, b],
                                      out=tmp_path / "m.html"))
    assert [c[2] for c in table.rows[0][1:]] == ["dev (monday)", "dev (tuesday)"]


def test_markdown_table_has_the_same_cells(tmp_path, make_results, conformant_and_faulty, capsys):
    good, bad = conformant_and_faulty
    a = make_results(tmp_path / "run-a", "acme-pbx", good)
    b = make_results(tmp_path / "run-b", "faulty-pbx", bad)
    assert matrix.main([str(a), str(b), "--markdown"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| clause | level | acme-pbx udp | acme-pbx tcp | faulty-pbx udp | faulty-pbx tcp |"
    rows = {line.split(" | ")[0].lstrip("| "): line for line in lines[2:]}
    assert rows["RFC3261-9.2-10"] == "| RFC3261-9.2-10 | MUST | pass | pass | fail | fail |"
    assert rows["RFC3261-9.2-8"].endswith("| pass | pass | warn | warn |")
