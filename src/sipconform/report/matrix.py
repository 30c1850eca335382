"""The conformance matrix: one self-contained HTML page from one or more results.json files.

Rows are clauses grouped by RFC section (level shown, the RFC sentence on expand), columns are
DUT × transport, cells the verdict (colour, symbol and word) of the tests of that clause, each
linked to its evidence (ladder SVG, wire trace, pcap). A cell no test filled reads "not run",
never pass.

    python -m sipconform.report.matrix reports/a.json reports/b.json -o reports/matrix.html
    python -m sipconform.report.matrix reports/a.json reports/b.json --markdown   # the table as Markdown
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import Any

from sipconform.clauses import CATALOGUE, Clause
from sipconform.verdict import Verdict, worst

__all__ = ["VERDICT_STYLE", "Column", "build_markdown", "build_matrix", "main", "write_matrix"]

# verdict -> (symbol, background, text colour); dark text on light backgrounds (WCAG AA)
VERDICT_STYLE: Mapping[str, tuple[str, str, str]] = {
    "pass": ("✓", "#d4f2da", "#0b5d1e"), "fail": ("✗", "#fbd3d3", "#8b1111"),
    "warn": ("!", "#fff0bf", "#5e4500"), "inconclusive": ("?", "#e3e3f8", "#2f2f66"),
    "not-applicable": ("–", "#ececec", "#3d3d3d"), "error": ("‼", "#f7d0ec", "#74094f"),
    "not run": ("·", "#ffffff", "#6a6a6a"),
}
_CSS = """
body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:16px;color:#1b1b1b;max-width:100%}
h1{font-size:20px;margin:0 0 6px}p.meta,ul.duts{margin:2px 0;color:#444}.banner{background:#fbd3d3;padding:6px 10px}
table{width:100%;table-layout:fixed;border-collapse:collapse;margin-top:10px}
th,td{border:1px solid #c9c9c9;padding:4px 6px;vertical-align:top;overflow-wrap:anywhere;text-align:left}
thead th{background:#f2f4f7;position:sticky;top:0}th.clause{width:34%}
tr.section th{background:#e8edf5;font-weight:600}tbody th details{font-weight:normal}
td .word{font-weight:600;text-decoration:none;color:inherit}
.lvl{display:inline-block;font-size:11px;padding:0 4px;border-radius:3px;background:#444;color:#fff}
.lvl-MUST{background:#8b1111}.lvl-SHOULD{background:#5e4500}details summary{cursor:pointer;color:#333;font-size:12px}
blockquote{margin:4px 0;padding-left:8px;border-left:3px solid #bbb;font-size:13px}
ul.tests{margin:2px 0 0;padding-left:14px;font-size:12px}ul.tests a{color:#1a4a8a}
.many td,.many th{font-size:12px}tfoot td{font-size:12px;background:#fafafa}
.legend span{padding:1px 6px;margin-right:4px}
"""
_SCRIPT = ("addEventListener('load',function(){var d=document.documentElement;"
           "d.setAttribute('data-scroll-width',d.scrollWidth);d.setAttribute('data-client-width',d.clientWidth);});")


@dataclass(frozen=True)
class Column:
    """One matrix column: a DUT over one transport, from one results file."""

    source: int
    dut: str
    transport: str
    label: str


@dataclass
class _Cell:
    results: list[Mapping[str, Any]] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if not self.results:
            return "not run"
        known = [Verdict(r["verdict"]) if r["verdict"] in Verdict._value2member_map_ else Verdict.ERROR
                 for r in self.results]
        return worst(*known).value


def _section_key(clause_id: str) -> tuple[int, tuple[int, ...], str]:
    clause = CATALOGUE.get(clause_id)
    m = re.match(r"RFC(\d+)-([\d.]+)-", clause_id)
    rfc = int(clause.rfc) if clause else int(m.group(1)) if m else 0
    section = clause.section if clause else (m.group(2) if m else "?")
    nums = tuple(int(x) for x in section.split(".") if x.isdigit())
    return rfc, nums, section


def _clause_key(clause_id: str) -> tuple[Any, ...]:
    tail = clause_id.rsplit("-", 1)[-1]
    return (*_section_key(clause_id)[:2], int(tail) if tail.isdigit() else 0, clause_id)


def _variant(nodeid: str, dut: str, transport: str) -> str:
    func = nodeid.split("::")[-1]
    name, _, params = func.partition("[")
    params = params.rstrip("]").replace(f"{dut}-{transport}", "").strip("-")
    return f"{name}[{params}]" if params else name


def _evidence_links(result: Mapping[str, Any], base: Path, out_dir: Path) -> list[tuple[str, str]]:
    links = []
    for kind in ("ladder", "trace", "pcap"):
        rel = (result.get("evidence") or {}).get(kind)
        if rel:
            target = (base / rel).resolve()
            if target.exists():
                links.append((kind, Path(os.path.relpath(target, out_dir.resolve())).as_posix()))
    return links


def _dut_of(result: Mapping[str, Any], doc: Mapping[str, Any]) -> str:
    return str(result.get("dut") or doc.get("dut", {}).get("name"))


def _columns(docs: Sequence[Mapping[str, Any]], names: Sequence[str]) -> list[Column]:
    """DUT × transport per document, in the order first seen; a DUT name found in several documents
    gets the file name in its label."""
    per_doc = [list(dict.fromkeys((_dut_of(r, d), str(r.get("transport"))) for r in d.get("results", [])))
               for d in docs]
    owners: dict[str, int] = {}
    for pairs in per_doc:
        for dut in {dut for dut, _ in pairs}:
            owners[dut] = owners.get(dut, 0) + 1
    return [Column(i, dut, transport, f"{dut} ({names[i]})" if owners[dut] > 1 else dut)
            for i, pairs in enumerate(per_doc) for dut, transport in pairs]


def _grid(docs: Sequence[Mapping[str, Any]], sources: Sequence[Path]
          ) -> tuple[list[Column], dict[tuple[str, Column], _Cell], list[str]]:
    """Columns (DUT × transport), the results of each (clause, column) cell, and the clause rows in order."""
    cols = _columns(docs, [p.stem for p in sources])
    cells: dict[tuple[str, Column], _Cell] = {}
    for col in cols:
        for r in docs[col.source].get("results", []):
            if (_dut_of(r, docs[col.source]), str(r.get("transport"))) == (col.dut, col.transport) \
                    and r.get("clause"):
                cells.setdefault((r["clause"], col), _Cell()).results.append(r)
    return cols, cells, sorted({cid for cid, _ in cells}, key=_clause_key)


def build_markdown(docs: Sequence[Mapping[str, Any]], *, sources: Sequence[Path]) -> str:
    """The same grid as a Markdown table (clause, level, one column per DUT × transport; a cell is the
    worst verdict of the clause's tests there, "—" where none ran): for docs and release notes."""
    cols, cells, clause_ids = _grid(docs, sources)
    lines = ["| clause | level | " + " | ".join(f"{c.label} {c.transport}" for c in cols) + " |",
             "|---|---|" + "---|" * len(cols)]
    for cid in clause_ids:
        clause = CATALOGUE.get(cid)
        level = clause.level if clause else "?"
        verdicts = [cells[(cid, c)].verdict if (cid, c) in cells else "—" for c in cols]
        lines.append(f"| {cid} | {level} | " + " | ".join(verdicts) + " |")
    return "\n".join(lines) + "\n"


def build_matrix(docs: Sequence[Mapping[str, Any]], *, sources: Sequence[Path], out: Path, title: str = ""
                 ) -> str:
    """The HTML page for results documents ``docs`` read from ``sources`` (evidence paths are
    relative to each source's directory; links in the page are relative to ``out``)."""
    cols, cells, clause_ids = _grid(docs, sources)
    many = " many" if len(cols) > 6 else ""
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
             f"<title>{escape(title or 'SIP conformance matrix')}</title><style>{_CSS}{_verdict_css()}</style>"
             f"<script>{_SCRIPT}</script></head><body>",
             f"<h1>{escape(title or 'SIP conformance matrix')}</h1>", _header(docs, sources), _legend()]
    parts.append(f"<table class='matrix{many}'><caption class='meta'>Rows: clauses by section; columns: "
                 f"device × transport. Each cell links to the evidence of its tests.</caption><thead>")
    parts.append(_head_rows(cols))
    parts.append("</thead><tbody>")
    section = None
    for cid in clause_ids:
        rfc, _, sec = _section_key(cid)
        if (rfc, sec) != section:
            section = (rfc, sec)
            url = f"https://www.rfc-editor.org/rfc/rfc{rfc}#section-{sec}"
            parts.append(f"<tr class='section'><th colspan='{len(cols) + 1}' scope='rowgroup'>"
                         f"<a href='{url}'>RFC {rfc} §{escape(sec)}</a></th></tr>")
        parts.append("<tr>" + _clause_header(cid, cells, cols) + "".join(
            _cell_html(cells.get((cid, col), _Cell()), col, sources[col.source].parent, out.parent)
            for col in cols) + "</tr>")
    parts.append("</tbody><tfoot><tr><th scope='row'>Count</th>")
    for col in cols:
        counts: dict[str, int] = {}
        for cid in clause_ids:
            for r in cells.get((cid, col), _Cell()).results:
                counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
        parts.append("<td>" + "<br>".join(f"{n} {escape(v)}" for v, n in counts.items()) + "</td>")
    parts.append("</tr></tfoot></table></body></html>\n")
    return "".join(parts)


def _verdict_css() -> str:
    return "".join(f".v-{v.replace(' ', '-')}{{background:{bg};color:{fg}}}"
                   for v, (_, bg, fg) in VERDICT_STYLE.items())


def _header(docs: Sequence[Mapping[str, Any]], sources: Sequence[Path]) -> str:
    items = []
    for doc, src in zip(docs, sources, strict=False):
        for d in doc.get("duts") or [doc.get("dut", {})]:
            where = f" at {d.get('host')}:{d.get('port')}" if d.get("host") else ""
            items.append(f"<li>{escape(str(d.get('name')))} — role {escape(str(d.get('role')))}{escape(where)}"
                         f" <small>({escape(src.name)}{', strict' if doc.get('strict') else ''})</small></li>")
        if doc.get("aborted"):
            items.append(f"<li class='banner'>{escape(src.name)}: {escape(str(doc['aborted']))}</li>")
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"<p class='meta'>Generated {when} by sipconform.</p><ul class='duts'>{''.join(items)}</ul>"


def _legend() -> str:
    spans = "".join(f"<span class='v-{v.replace(' ', '-')}'>{sym} {v}</span>" for v, (sym, _, _) in
                    VERDICT_STYLE.items())
    return (f"<p class='legend meta'>{spans}<br><small>fail: a MUST broken; warn: a SHOULD broken; inconclusive: "
            f"the DUT never reached the state the clause is about; not run: no test of the clause ran there."
            f"</small></p>")


def _head_rows(cols: Sequence[Column]) -> str:
    groups: list[tuple[str, int]] = []
    for col in cols:
        if groups and groups[-1][0] == col.label:
            groups[-1] = (col.label, groups[-1][1] + 1)
        else:
            groups.append((col.label, 1))
    top = "".join(f"<th scope='colgroup' colspan='{n}'>{escape(label)}</th>" for label, n in groups)
    low = "".join(f"<th scope='col'>{escape(c.transport.upper())}</th>" for c in cols)
    return (f"<tr><th class='clause' rowspan='2' scope='col'>Clause</th>{top}</tr><tr>{low}</tr>")


def _trace_html(clause: Clause) -> str:
    """ETSI test purposes and known bug reports of a clause, as small lines under its sentence."""
    lines = [f"ETSI TS 102 027-2 {escape(e.tp)}: {escape(e.objective)}" for e in clause.etsi]
    lines += [f"guards against: <a href='{escape(b.url)}'>{escape(b.summary)}</a>" for b in clause.bugs]
    return "".join(f"<br><small>{line}</small>" for line in lines)


def _clause_header(cid: str, cells: Mapping[tuple[str, Column], _Cell], cols: Sequence[Column]) -> str:
    clause = CATALOGUE.get(cid)
    level = next((str(r.get("level")) for col in cols for r in cells.get((cid, col), _Cell()).results
                  if r.get("level")), clause.level if clause else "?")
    name = f"<a href='{clause.url}'>{escape(cid)}</a>" if clause else escape(cid)
    quote = ""
    if clause is not None:
        short = clause.quote if len(clause.quote) <= 90 else clause.quote[:88].rstrip() + "…"
        quote = (f"<details><summary title='{escape(clause.quote)}'>{escape(short)}</summary>"
                 f"<blockquote>{escape(clause.quote)}<br><small>{escape(clause.where)}, "
                 f"{escape(clause.keyword)}</small>{_trace_html(clause)}</blockquote></details>")
    return f"<th scope='row'>{name} <span class='lvl lvl-{escape(level)}'>{escape(level)}</span>{quote}</th>"


def _cell_html(cell: _Cell, col: Column, base: Path, out_dir: Path) -> str:
    verdict = cell.verdict
    sym = VERDICT_STYLE.get(verdict, ("?", "", ""))[0]
    cls = f"v-{verdict.replace(' ', '-')}"
    if not cell.results:
        return f"<td class='{cls}'><span class='word'>{sym} not run</span></td>"
    rows = []
    first_link = ""
    for r in cell.results:
        links = _evidence_links(r, base, out_dir)
        message = (r.get("message") or "").splitlines()[0][:240] if r.get("message") else ""
        if r["verdict"] == verdict and not first_link and links:
            first_link = links[0][1]
        link_html = " ".join(f"<a href='{escape(href)}'>{kind}</a>" for kind, href in links)
        rows.append(f"<li title='{escape(r.get('nodeid', ''))}'><span class='v-{escape(r['verdict'])}'>"
                    f"{escape(r['verdict'])}</span> {escape(_variant(r.get('nodeid', ''), col.dut, col.transport))}"
                    f"{' — ' + escape(message) if message else ''} {link_html}</li>")
    n = len(cell.results)
    tip = escape("; ".join(f"{r['verdict']}: {(r.get('message') or '').splitlines()[0] if r.get('message') else ''}"
                           .rstrip(": ") for r in cell.results)[:400])
    word = (f"<a class='word' href='{escape(first_link)}' title='{tip}'>{sym} {verdict}</a>" if first_link
            else f"<span class='word' title='{tip}'>{sym} {verdict}</span>")
    return (f"<td class='{cls}'>{word}<details><summary>{n} test{'s' if n > 1 else ''}</summary>"
            f"<ul class='tests'>{''.join(rows)}</ul></details></td>")


def write_matrix(sources: Sequence[Path], out: Path, *, title: str = "") -> Path:
    """Read the results files, write the matrix page to ``out``; returns ``out``."""
    docs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in sources]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build_matrix(docs, sources=[Path(p) for p in sources], out=out, title=title), encoding="utf-8")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sipconform.report.matrix", description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path, help="results.json files (one column group per DUT)")
    parser.add_argument("-o", "--output", type=Path, default=Path("reports/matrix.html"))
    parser.add_argument("--title", default="")
    parser.add_argument("--markdown", action="store_true",
                        help="print the grid as a Markdown table instead of writing the HTML page")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.results if not p.is_file()]
    if missing:
        print(f"matrix: no such results file: {', '.join(missing)}", file=sys.stderr)
        return 2
    if args.markdown:
        docs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in args.results]
        print(build_markdown(docs, sources=args.results), end="")
        return 0
    print(write_matrix(args.results, args.output, title=args.title))
    return 0


if __name__ == "__main__":
    sys.exit(main())
