"""A ladder (sequence) diagram of one test's SIP exchange, as a self-contained SVG.

One lifeline per endpoint: each peer (name and address) and the DUT (its address); one arrow per
message with the time since the test started, the first line, and the headers a CANCEL clause is
about (Via branch, CSeq, To tag, Call-ID shortened). Hovering an arrow shows the whole message. The
transport and IP version ("TLS over IPv6") head the diagram, and label each arrow when they vary.
The width stays within about 1200 px for 2-4 lifelines (a 1280 px window); long lines are shortened with
"…" or wrapped to a second line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

from sipconform.peer.wirelog import WireRecord

__all__ = ["ladder_svg", "lifelines", "summary_of"]

Address = tuple[str, int]
_CHAR_W = 7.0  # px per character of the 12 px monospace font
_ROW, _NOTE_ROW, _TOP, _LEFT, _RIGHT = 50, 22, 100, 78, 120
_MAX_SPAN = 680  # distance between two adjacent lifelines at most
_INNER = 900  # room for all the spans together (4 lifelines: about 1200 px in all)
_BAD_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_STYLE = """
text{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px;fill:#1b1b1b}
.hdr{font-size:11px;fill:#444}.time{font-size:11px;fill:#555}.note{font-size:11px;fill:#666;font-style:italic}
.box{fill:#eef3fb;stroke:#2f5597;stroke-width:1.2}.dutbox{fill:#fdf1e3;stroke:#a65e00;stroke-width:1.2}
.life{stroke:#9aa7b8;stroke-width:1;stroke-dasharray:4 4}.title{font-size:13px;font-weight:bold}
line.req{stroke:#1f4e9c}line.ok{stroke:#1d7a36}line.prov{stroke:#666}line.err,line.bad{stroke:#b3261e}
text.req{fill:#1f4e9c}text.ok{fill:#1d7a36}text.prov{fill:#555}text.err,text.bad{fill:#b3261e}
.msg line{stroke-width:1.6}.retx line{stroke-dasharray:6 3}.msg:hover .first{font-weight:bold}
"""


def _addr(a: Address | None) -> str:
    if a is None:
        return "?"
    host, port = a
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _clean(text: str) -> str:
    return _BAD_XML.sub("\ufffd", text.replace("\r", ""))


def _fit(text: str, chars: int) -> str:
    text = _clean(text)
    return text if len(text) <= chars else text[: max(chars - 1, 1)] + "…"


def _short(value: str | None, keep: int) -> str:
    if not value:
        return "-"
    return value if len(value) <= keep + 1 else "…" + value[-keep:]


def _title_lines(title: str) -> list[str]:
    """The title on one line, or two split at "::" (a pytest node id) when it is long."""
    if len(title) <= 110 or "::" not in title:
        return [title] if title else []
    path, _, rest = title.partition("::")
    return [path, "::" + rest]


def _summary_parts(rec: WireRecord) -> list[str]:
    msg = rec.message
    if msg is None:
        return [f"{len(rec.raw)} bytes"] if rec.raw else []
    getters: tuple[tuple[str, Callable[[], str]], ...] = (
        ("branch", lambda: _short(msg.top_via.branch, 32)), ("CSeq", lambda: str(msg.cseq)),
        ("To tag", lambda: _short(msg.to.tag, 16)),
        ("Call-ID", lambda: msg.call_id[:10] + ("…" if len(msg.call_id) > 10 else "")))
    parts: list[str] = []
    for label, get in getters:
        try:
            parts.append(f"{label} {get()}")
        except Exception:  # noqa: BLE001 - a malformed header: the first line and the tooltip still show it
            parts.append(f"{label} ?")
    return parts


def summary_of(rec: WireRecord) -> str:
    """The header line under an arrow: Via branch, CSeq, To tag, Call-ID (shortened)."""
    return " · ".join(_summary_parts(rec))


def _wrap(parts: list[str], chars: int, max_lines: int = 2) -> list[str]:
    """``parts`` joined by " · " on as few lines of ``chars`` as needed (at most ``max_lines``)."""
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + 3 + len(part) <= chars:
            lines[-1] += " · " + part
        elif len(lines) < max_lines:
            lines.append(part)
        else:
            lines[-1] += " · " + part
    return [_fit(line, chars) for line in lines]


def _first(rec: WireRecord, chars: int) -> str:
    line = rec.first_line
    if len(line) > chars and line.endswith(" SIP/2.0"):
        line = line[: -len(" SIP/2.0")]  # the request line without its version, before cutting the URI
    return _fit(line, chars)


def _kind(rec: WireRecord) -> str:
    if rec.message is None:
        return "bad"
    line = rec.message.start_line
    if not line.startswith("SIP/"):
        return "req"
    code = line.split(" ", 2)[1] if line.count(" ") else ""
    return "prov" if code.startswith("1") else "ok" if code.startswith("2") else "err"


def lifelines(records: Sequence[WireRecord], dut: Address | None = None, dut_name: str = "DUT"
              ) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """The lifelines [(name, address)] and which lifeline each peer name sits on ("" is the DUT).

    Order: the first peer, the DUT, then the other peers (upstream left, downstream right)."""
    peers: dict[str, Address] = {}
    for r in records:
        peers.setdefault(r.peer, r.local)
    locals_ = {r.local for r in records}
    remotes = [r.remote for r in records if r.remote is not None and r.remote not in locals_]
    dut_addr = dut or (max(set(remotes), key=remotes.count) if remotes else None)
    names = list(peers)
    order = names[:1] + [""] + names[1:]
    lines = [(dut_name, _addr(dut_addr)) if n == "" else (n, _addr(peers[n])) for n in order]
    return lines, {n: i for i, n in enumerate(order)}


def _endpoints(rec: WireRecord, index: dict[str, int], owner: dict[Address, int]) -> tuple[int, int]:
    here = index[rec.peer]
    there = owner.get(rec.remote, index[""]) if rec.remote is not None else index[""]
    return (here, there) if rec.direction == "out" else (there, here)


def ladder_svg(records: Iterable[WireRecord], *, dut: Address | None = None, dut_name: str = "DUT",
               title: str = "", subtitle: str = "") -> str:
    """The SVG document (a string) for ``records`` (e.g. ``wirelog.merge(*logs)``); ``title`` (a node id
    is split at "::") and ``subtitle`` (e.g. clause and verdict) head it."""
    recs = sorted(records, key=lambda r: (r.time, r.seq))
    lines, index = lifelines(recs, dut, dut_name)
    owner: dict[Address, int] = {}
    for r in recs:
        owner.setdefault(r.local, index[r.peer])
    # a message between two of our peers is recorded twice: draw the sender's record only
    shown = [r for r in recs if not (r.direction == "in" and r.remote in owner)]
    networks = sorted({r.network for r in shown if r.direction != "note"})  # e.g. ["TLS over IPv6"]
    n = len(lines)
    span = min(_MAX_SPAN, _INNER // max(n - 1, 1))
    xs = [_LEFT + 90 + i * span for i in range(n)]
    width = xs[-1] + _RIGHT
    rows: list[str] = []
    y = _TOP + 30
    for rec in shown:
        if rec.direction == "note" or (not rec.raw and rec.message is None):
            i = index[rec.peer]
            anchor = f'x="{xs[i] - 6}" text-anchor="end"' if i == n - 1 and n > 1 else f'x="{xs[i] + 6}"'
            rows.append(f'<text class="note" {anchor} y="{y}">{escape(_fit("· " + rec.note, 60))}</text>')
            y += _NOTE_ROW
            continue
        a, b = _endpoints(rec, index, owner)
        x1, x2 = xs[a], xs[b]
        if x1 == x2:  # to itself (should not happen): a short loop to the right
            x2 = x1 + 40
        chars = int(max(abs(x2 - x1), 200) / _CHAR_W) - 2
        mid = (x1 + x2) / 2
        kind = _kind(rec)
        retx = " retx" if "retransmission" in rec.note else ""
        extra = f" ({rec.note})" if rec.note else ""
        label = [rec.network] if len(networks) > 1 else []
        hdr = _wrap([*label, *_summary_parts(rec), *([f"({rec.note})"] if rec.note else [])], chars + 6)
        tip = _clean(str(rec.message) if rec.message is not None else rec.first_line + "\n"
                     + rec.raw[:2048].decode("utf-8", "backslashreplace"))
        head = (f"{rec.network} {_addr(rec.local)} {'->' if rec.direction == 'out' else '<-'} "
                f"{_addr(rec.remote)} at +{rec.time:.3f} s{extra}\n")
        tip_text = escape(head + tip)
        tip_text = tip_text.replace("\n", "&#10;")
        tip_text = f"<title>{tip_text}</title>"
        rows.append(
            f'<g class="msg{retx}">{tip_text}'
            f'<text class="time" x="6" y="{y + 4}">+{rec.time:.3f}s</text>'
            f'<text class="first {kind}" x="{mid}" y="{y - 6}" text-anchor="middle">'
            f'{escape(_first(rec, chars))}</text>'
            f'<line class="{kind}" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" marker-end="url(#a-{kind})"/>'
            + "".join(f'<text class="hdr" x="{mid}" y="{y + 15 + 13 * k}" text-anchor="middle">{escape(line)}</text>'
                      for k, line in enumerate(hdr)) + '</g>')
        y += _ROW + 13 * max(len(hdr) - 1, 0)
    height = y + 10
    heads: list[str] = []
    for i, (name, address) in enumerate(lines):
        cls = "dutbox" if i == index[""] else "box"
        heads.append(f'<rect class="{cls}" x="{xs[i] - 80}" y="{_TOP - 40}" width="160" height="36" rx="4"/>'
                     f'<text x="{xs[i]}" y="{_TOP - 25}" text-anchor="middle" font-weight="bold">'
                     f'{escape(_fit(name, 21))}</text>'
                     f'<text class="hdr" x="{xs[i]}" y="{_TOP - 10}" text-anchor="middle">{escape(_fit(address, 22))}'
                     f'</text><line class="life" x1="{xs[i]}" y1="{_TOP - 4}" x2="{xs[i]}" y2="{height}"/>')
    markers = "".join(
        f'<marker id="a-{k}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>'
        for k, c in (("req", "#1f4e9c"), ("ok", "#1d7a36"), ("prov", "#666"), ("err", "#b3261e"), ("bad", "#b3261e")))
    empty = [] if shown else [f'<text class="note" x="{_LEFT}" y="{_TOP + 30}">(no traffic)</text>']
    title_el = "".join(f'<text class="title" x="6" y="{16 + 15 * i}">{escape(_fit(part, int(width / 7.8)))}</text>'
                       for i, part in enumerate([*_title_lines(title), subtitle][:3]) if part)
    if networks:  # which transport and IP version, top right (per arrow too when there are several)
        title_el += (f'<text class="hdr" x="{width - 6}" y="16" text-anchor="end">'
                     f'{escape(" · ".join(networks))}</text>')
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 10}" '
            f'viewBox="0 0 {width} {height + 10}" role="img" aria-label={quoteattr("SIP ladder diagram " + title)}>'
            f'<style>{_STYLE}</style><defs>{markers}</defs><rect width="100%" height="100%" fill="#fff"/>'
            f'{title_el}{"".join(heads)}{"".join(rows)}{"".join(empty)}</svg>\n')
