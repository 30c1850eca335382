"""Compare a run's verdicts with a baseline (e.g. last night's results.json).

Per (clause, DUT, transport, test): new failures (pass, warn or inconclusive -> fail or error) are
regressions; fail/error -> pass are fixes; any other change is listed as changed; tests only in one
file are listed as added or not run. When each file holds exactly one DUT and the names differ
(two devices compared), the baseline DUT is matched to the new one.

    python -m sipconform.report.baseline old.json new.json [-o diff.json]   # exit 1 on a regression,
                                                                            # 2 if a run was aborted or empty
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Change", "Diff", "clause_order", "comparable", "compare", "load", "main", "render", "write_diff"]

_GOOD = ("pass", "warn", "inconclusive")
_BAD = ("fail", "error")

Key = tuple[str, str, str, str]  # clause, dut, transport, test


@dataclass(frozen=True)
class Change:
    clause: str
    dut: str
    transport: str
    test: str
    old: str | None  # None: not in the baseline
    new: str | None  # None: not run this time
    message: str = ""


@dataclass
class Diff:
    regressions: list[Change] = field(default_factory=list)
    fixed: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    added: list[Change] = field(default_factory=list)
    missing: list[Change] = field(default_factory=list)
    dut_map: dict[str, str] = field(default_factory=dict)  # baseline DUT -> DUT of this run
    unchanged: int = 0

    @property
    def clauses(self) -> list[str]:
        """The clauses whose verdict changed (regressed, fixed or otherwise), sorted."""
        return sorted({c.clause for c in (*self.regressions, *self.fixed, *self.changed)}, key=clause_order)

    @property
    def regressed(self) -> bool:
        return bool(self.regressions)

    def to_json(self) -> dict[str, Any]:
        return {"regressed": self.regressed, "changed_clauses": self.clauses, "dut_map": self.dut_map,
                "unchanged": self.unchanged,
                **{k: [asdict(c) for c in getattr(self, k)] for k in ("regressions", "fixed", "changed", "added",
                                                                        "missing")}}


def clause_order(clause_id: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key: ``RFC3261-9.2-6`` before ``RFC3261-9.2-10`` (numbers compared as numbers)."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.-]", clause_id))


def _dut(result: Mapping[str, Any], doc: Mapping[str, Any]) -> str:
    return str(result.get("dut") or doc.get("dut", {}).get("name") or "?")


def _test(nodeid: str, dut: str, transport: str) -> str:
    """The node id without the DUT part of its parameters, so one test matches across devices."""
    base, bracket, params = nodeid.partition("[")
    if not bracket:
        return nodeid
    params = params.rstrip("]").replace(f"{dut}-{transport}", transport, 1)
    return f"{base}[{params}]"


def _index(doc: Mapping[str, Any], rename: Mapping[str, str]) -> dict[Key, Mapping[str, Any]]:
    out: dict[Key, Mapping[str, Any]] = {}
    for r in doc.get("results", []):
        dut = _dut(r, doc)
        transport = str(r.get("transport"))
        out[(str(r.get("clause")), rename.get(dut, dut), transport, _test(str(r.get("nodeid")), dut, transport))] = r
    return out


def _duts(doc: Mapping[str, Any]) -> list[str]:
    return sorted({_dut(r, doc) for r in doc.get("results", [])})


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> Diff:
    """The differences from the baseline ``old`` to ``new`` (results.json documents)."""
    old_duts, new_duts = _duts(old), _duts(new)
    rename = {old_duts[0]: new_duts[0]} if len(old_duts) == len(new_duts) == 1 and old_duts != new_duts else {}
    before, after = _index(old, rename), _index(new, {})
    diff = Diff(dut_map=rename)
    for key in sorted(before.keys() | after.keys()):
        o, n = before.get(key), after.get(key)
        ov, nv = (o or {}).get("verdict"), (n or {}).get("verdict")
        change = Change(*key, old=ov, new=nv, message=str((n or o or {}).get("message") or "").split("\n")[0][:300])
        if o is None:
            diff.added.append(change)
        elif n is None:
            diff.missing.append(change)
        elif ov == nv:
            diff.unchanged += 1
        elif ov in _GOOD and nv in _BAD:
            diff.regressions.append(change)
        elif ov in _BAD and nv == "pass":
            diff.fixed.append(change)
        else:
            diff.changed.append(change)
    return diff


def render(diff: Diff) -> list[str]:
    """Terminal lines: one per change, grouped; a headline first."""
    lines = [f"baseline: {len(diff.regressions)} regression(s), {len(diff.fixed)} fixed, {len(diff.changed)} other "
             f"change(s), {len(diff.added)} new test(s), {len(diff.missing)} not run now, {diff.unchanged} unchanged"]
    if diff.dut_map:
        lines.append("compared DUTs: " + ", ".join(f"{a} (baseline) -> {b}" for a, b in diff.dut_map.items()))
    if diff.clauses:
        lines.append("changed clauses: " + ", ".join(diff.clauses))
    for title, changes in (("REGRESSION", diff.regressions), ("FIXED", diff.fixed), ("CHANGED", diff.changed),
                           ("NEW", diff.added), ("NOT RUN", diff.missing)):
        for c in changes:
            why = f" - {c.message}" if c.message and title in ("REGRESSION", "CHANGED") else ""
            lines.append(f"{title} {c.clause} {c.dut}/{c.transport} {c.test}: {c.old or '-'} -> {c.new or '-'}{why}")
    return lines


def write_diff(path: Path, diff: Diff) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(diff.to_json(), indent=1) + "\n", encoding="utf-8")
    return path


def load(path: Path) -> dict[str, Any]:
    """A results.json document; ``ValueError`` naming the file when it is not one."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read results file {path}: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        raise ValueError(f"{path} is not a sipconform results.json (no \"results\" list)")
    return doc


def comparable(doc: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """``doc`` if a diff against it means something; ``ValueError`` for an aborted run or one with no
    verdict (a DUT that was down must not read as "0 regressions")."""
    if doc.get("aborted"):
        raise ValueError(f"{path} is an aborted run ({doc['aborted']}): nothing to compare with")
    if not doc.get("results"):
        raise ValueError(f"{path} holds no verdict (an empty run): nothing to compare with")
    return dict(doc)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sipconform.report.baseline", description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path, help="the baseline results.json")
    parser.add_argument("new", type=Path, help="the results.json to compare with it")
    parser.add_argument("-o", "--output", type=Path, help="also write the diff as JSON here")
    args = parser.parse_args(argv)
    try:
        diff = compare(comparable(load(args.old), args.old), comparable(load(args.new), args.new))
    except ValueError as exc:
        print(f"baseline: {exc}", file=sys.stderr)
        return 2
    print("\n".join(render(diff)))
    if args.output:
        write_diff(args.output, diff)
    return 1 if diff.regressed else 0


if __name__ == "__main__":
    sys.exit(main())
