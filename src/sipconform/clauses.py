"""The clause catalogue: every checklist ID, its level, roles, quote and test status.

Two data files, both in the package (``sipconform/data``):
- ``clauses.json``: the checklist as researched (copy of ``reference/clauses.json``): quote,
  keyword, role, black-box testability, test idea. Text; not edited by the project.
- ``catalogue.json``: the project's decisions per ID: ``status`` (tested | planned |
  untestable), ``reason`` (why untestable), normalised ``level`` and ``roles``, ``section``;
  where one applies, ``bugs`` (real-world bug reports the clause's test guards against) and
  ``etsi`` (ETSI TS 102 027-2 test purposes checking the same behaviour, each with its source).
  The lead marks a clause ``tested`` when its module lands.

``python -m sipconform.clauses`` prints the coverage; ``--check DIR`` compares the catalogue
with the ``clause(...)`` markers found under DIR (a conformance tree) and exits 1 on mismatch.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from sipconform.vocabulary import LEVELS, ROLES

__all__ = ["CATALOGUE", "STATUSES", "BugReport", "Clause", "EtsiPurpose", "derive_level", "derive_roles",
           "derive_section", "get", "load_catalogue", "markers_in", "trace_properties"]

STATUSES = ("tested", "planned", "untestable")

# Checklist role codes -> our DUT roles (RS, a redirect server, is none of ours).
_ROLE_CODES: Mapping[str, tuple[str, ...]] = {
    "UAC": ("uac",), "UAS": ("uas",), "UA": ("uac", "uas"),
    "SFP": ("proxy",), "SLP": ("stateless-proxy",), "RS": (),
}


@dataclass(frozen=True)
class BugReport:
    """A public bug report or fix whose fault the clause's test would catch: a regression idea."""

    summary: str
    url: str


@dataclass(frozen=True)
class EtsiPurpose:
    """An ETSI TS 102 027-2 test purpose that checks the same behaviour as the clause."""

    tp: str  # e.g. SIP_CC_TE_CE_V_019
    objective: str  # paraphrased
    source: str  # where the ID and objective were read


@dataclass(frozen=True)
class Clause:
    """One normative statement; ``level`` decides fail vs warn for a broken expectation."""

    id: str
    rfc: str
    section: str  # e.g. "9.2"
    where: str  # section and paragraph as printed in the checklist, e.g. "9.2 ¶3"
    keyword: str  # the checklist's keyword column, e.g. "IMPL (MUST NOT)"
    level: str  # MUST | SHOULD | MAY | INFO
    roles: tuple[str, ...]  # subset of sipconform.dut.profile.ROLES
    status: str  # tested | planned | untestable
    reason: str  # why untestable ("" otherwise)
    quote: str
    testability: str  # checklist "bb": Y | UT | P | N | -
    test_idea: str
    bugs: tuple[BugReport, ...] = ()
    etsi: tuple[EtsiPurpose, ...] = ()

    @property
    def url(self) -> str:
        """The RFC section on rfc-editor.org."""
        return f"https://www.rfc-editor.org/rfc/rfc{self.rfc}#section-{self.section}"


def derive_level(keyword: str, note: str = "") -> str:
    """Normalise a checklist keyword: the strongest RFC 2119 word wins (``IMPL (MUST NOT)`` -> MUST,
    ``SHOULD NOT``/``RECOMMENDED`` -> SHOULD, ``INFO``/``DEF`` -> INFO). A bare ``IMPL`` states
    required behaviour (MUST) unless the note names another level ("the normative level is the SHOULD")."""
    kw = keyword.upper()
    if not re.search(r"MUST|SHOULD|RECOMMENDED|MAY", kw):
        if not kw.startswith("IMPL"):
            return "INFO"  # INFO, DEF: descriptive text
        named = re.search(r"normative level is the (MUST|SHOULD|MAY)", note, re.IGNORECASE)
        return named.group(1).upper() if named else "MUST"
    if "MUST" in kw:
        return "MUST"
    if "SHOULD" in kw or "RECOMMENDED" in kw:
        return "SHOULD"
    if "MAY" in kw:
        return "MAY"
    return "INFO"


def derive_roles(role: str) -> tuple[str, ...]:
    """Checklist roles (``"UAC, SFP (gen); UAS, SFP (recv)"``) -> our roles, in ``ROLES`` order."""
    found: set[str] = set()
    for code in re.findall(r"[A-Z]+", re.sub(r"\([^)]*\)", "", role)):
        if code not in _ROLE_CODES:
            raise ValueError(f"unknown checklist role {code!r} in {role!r}")
        found.update(_ROLE_CODES[code])
    return tuple(r for r in ROLES if r in found)


def derive_section(where: str) -> str:
    """``"17.2.3 ¶7"`` -> ``"17.2.3"``."""
    return where.split()[0]


def _read_json(name: str) -> Any:
    return json.loads(resources.files("sipconform").joinpath("data", name).read_text(encoding="utf-8"))


def load_catalogue() -> dict[str, Clause]:
    """Merge ``clauses.json`` (text) with ``catalogue.json`` (decisions); every ID in both or ValueError."""
    source = {row["id"]: row for row in _read_json("clauses.json")}
    decisions: dict[str, dict[str, Any]] = _read_json("catalogue.json")["clauses"]
    if missing := sorted(source.keys() ^ decisions.keys()):
        raise ValueError(f"clauses.json and catalogue.json disagree on IDs: {', '.join(missing)}")
    catalogue: dict[str, Clause] = {}
    for cid, row in source.items():
        d = decisions[cid]
        status, level, roles = d["status"], d["level"], tuple(d["roles"])
        if status not in STATUSES or level not in LEVELS or not set(roles) <= set(ROLES):
            raise ValueError(f"catalogue.json: {cid}: bad status/level/roles {status!r} {level!r} {roles!r}")
        if status == "untestable" and not d.get("reason"):
            raise ValueError(f"catalogue.json: {cid}: an untestable clause needs a reason")
        catalogue[cid] = Clause(
            id=cid, rfc=row["rfc"], section=d["section"], where=row["sec"], keyword=row["kw"], level=level,
            roles=roles, status=status, reason=d.get("reason", ""), quote=row["quote"],
            testability=row["bb"], test_idea=row["test"],
            bugs=tuple(BugReport(**b) for b in d.get("bugs", ())),
            etsi=tuple(EtsiPurpose(**e) for e in d.get("etsi", ())),
        )
    return catalogue


class _LazyCatalogue(Mapping[str, Clause]):
    """Read-only mapping that loads the data files on first use."""

    @staticmethod
    @lru_cache(maxsize=1)
    def _data() -> Mapping[str, Clause]:
        return load_catalogue()

    def __getitem__(self, key: str) -> Clause:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())


CATALOGUE: Mapping[str, Clause] = _LazyCatalogue()
"""Every checklist ID -> its ``Clause``, loaded on first access."""


def get(clause_id: str) -> Clause:
    """The clause with this ID; ``KeyError`` naming the ID if it is not in the catalogue."""
    try:
        return CATALOGUE[clause_id]
    except KeyError:
        raise KeyError(f"unknown clause ID {clause_id!r}") from None


def trace_properties(clause_id: str) -> list[tuple[str, str]]:
    """What ties a test to its clause, as JUnit-style properties: the section, the RFC sentence,
    its URL, and where the catalogue has them the ETSI test purposes and the bug reports it guards against."""
    clause = CATALOGUE.get(clause_id)
    if clause is None:
        return []
    props = [("section", f"RFC {clause.rfc} §{clause.where}"), ("requirement", clause.quote), ("rfc_url", clause.url)]
    props += [("etsi_tp", e.tp) for e in clause.etsi]
    props += [("bug_pattern", f"{b.summary} <{b.url}>") for b in clause.bugs]
    return props


_MARKER = re.compile(r"""mark\.clause\(\s*(?P<q>["'])(?P<id>[^"']+)(?P=q)""")


def markers_in(directory: Path) -> dict[str, list[str]]:
    """Clause IDs of the ``pytest.mark.clause("ID")`` markers in the ``*.py`` files under ``directory``,
    each with the files that carry it (a static scan: no pytest, no import of the test modules)."""
    found: dict[str, list[str]] = {}
    for path in sorted(directory.rglob("*.py")):
        for match in _MARKER.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match["id"], []).append(str(path.relative_to(directory)))
    return found


def _coverage_table(catalogue: Mapping[str, Clause]) -> list[str]:
    counts = {s: sum(c.status == s for c in catalogue.values()) for s in STATUSES}
    lines = [f"{len(catalogue)} clauses: " + ", ".join(f"{n} {s}" for s, n in counts.items()), ""]
    width = max(len(cid) for cid in catalogue)
    for c in catalogue.values():
        roles = ",".join(c.roles) or "-"
        lines.append(f"{c.id:<{width}}  {c.status:<10}  {c.level:<6}  {roles:<26}  {c.reason}".rstrip())
    return lines


def _check(catalogue: Mapping[str, Clause], directory: Path) -> list[str]:
    markers = markers_in(directory)
    problems = [f"{cid}: marked in {', '.join(files)} but not in the catalogue"
                for cid, files in markers.items() if cid not in catalogue]
    for c in catalogue.values():
        if c.status == "tested" and c.id not in markers:
            problems.append(f"{c.id}: catalogue says tested, but no test under {directory} carries its marker")
        elif c.status != "tested" and c.id in markers:
            problems.append(f"{c.id}: tested by {', '.join(markers[c.id])}, but the catalogue says {c.status}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Print coverage; with ``--check DIR`` also compare with the markers under DIR (exit 1 on mismatch)."""
    parser = argparse.ArgumentParser(prog="python -m sipconform.clauses", description=__doc__.splitlines()[0])
    parser.add_argument("--check", metavar="DIR", type=Path,
                        help="compare with the clause markers of the test modules under DIR")
    args = parser.parse_args(argv)
    catalogue = dict(CATALOGUE)
    print("\n".join(_coverage_table(catalogue)))
    if args.check is None:
        return 0
    if not args.check.is_dir():
        print(f"\n--check: {args.check} is not a directory", file=sys.stderr)
        return 2
    problems = _check(catalogue, args.check)
    print(f"\ncheck against {args.check}: " + ("OK" if not problems else f"{len(problems)} problem(s)"))
    for line in problems:
        print(f"  {line}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
