#!/usr/bin/env python
"""Suite time against the protocol floor (not a pytest test): run one role's set against a reference DUT and
compare, per test and in total, the wall time with the waits the RFC puts on the test's critical path.

Each test's floor is what it waited through to the end of a window (a quiet window that shows something
does not happen, a timer, a response that never came): the reactor adds up those windows and results.json
carries them per test as ``waited``, next to ``duration`` (setup + call + teardown). The floor of a run is
the sum of ``waited`` serially; over N workers it is ``max(sum / N, largest single test)``, a perfect split.
Overhead per test is ``duration - waited``: the exchanges, the peer, fixtures and reports.

    python benchmarks/bench_floor.py                                    # uas set, kamailio-uas, serial and -n 2
    python benchmarks/bench_floor.py --role proxy --dut kamailio-proxy --workers 0
    python benchmarks/bench_floor.py --top 15 --json floor.json         # the slowest 15 per run; JSON too
    python benchmarks/bench_floor.py --no-allure                        # without allure-pytest (its cost)

Targets (issue 13): total wall <= 1.2 x floor, overhead <= 5 ms median per test, serial and with -n 2.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run(role: str, dut: str, workers: int, allure: bool, out: Path, extra: list[str]) -> dict[str, Any]:
    """One pytest run of ``conformance/<role>`` (slow tests left out); its wall time and results."""
    results = out / "results.json"
    command = [sys.executable, "-m", "pytest", f"conformance/{role.replace('-', '_')}", "--sip-dut", dut,
               "--sip-results", str(results), "-o", f"sip_reports={out}", "-q", "-p", "no:randomly",
               "-n", str(workers), *(["--dist", "worksteal"] if workers else []),
               *([] if allure else ["-p", "no:allure_pytest"]), *extra]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests" / "support"),
                                                         os.environ.get("PYTHONPATH", "")])}
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if not results.is_file():
        sys.exit(f"bench_floor: the run wrote no results (exit {proc.returncode}):\n{proc.stdout[-3000:]}")
    doc = json.loads(results.read_text(encoding="utf-8"))
    return {"workers": workers, "wall": wall, "exit": proc.returncode, "results": doc["results"],
            "summary": doc["summary"]}


def figures(measured: dict[str, Any]) -> dict[str, Any]:
    results = measured["results"]
    waited = [float(r.get("waited", 0.0)) for r in results]
    durations = [float(r.get("duration", 0.0)) for r in results]
    overheads = [d - w for d, w in zip(durations, waited, strict=True)]
    n = max(1, measured["workers"])
    floor = max(sum(waited) / n, max(waited, default=0.0))
    return {"workers": measured["workers"], "tests": len(results), "wall": measured["wall"], "floor": floor,
            "ratio": measured["wall"] / floor if floor else float("inf"), "sum_durations": sum(durations),
            "sum_waited": sum(waited), "overhead_median_ms": 1000 * statistics.median(overheads) if overheads else 0,
            "overhead_total": sum(overheads), "session": measured["wall"] - sum(durations) / n,
            "verdicts": measured["summary"]}


def render(fig: dict[str, Any], results: list[dict[str, Any]], top: int) -> list[str]:
    label = "serial" if not fig["workers"] else f"-n {fig['workers']}"
    lines = [f"## {label}: {fig['tests']} tests, wall {fig['wall']:.1f} s, floor {fig['floor']:.1f} s, "
             f"wall/floor {fig['ratio']:.2f}; overhead median {fig['overhead_median_ms']:.1f} ms/test, "
             f"total {fig['overhead_total']:.1f} s; session (start, collection, DUT start, reports) "
             f"~{fig['session']:.1f} s",
             "verdicts: " + ", ".join(f"{v} {c}" for v, c in fig["verdicts"].items()),
             "", "| test | wall (s) | floor (s) | overhead (ms) |", "| --- | ---: | ---: | ---: |"]
    slowest = sorted(results, key=lambda r: -float(r.get("duration", 0.0)))[:top]
    for r in slowest:
        d, w = float(r.get("duration", 0.0)), float(r.get("waited", 0.0))
        lines.append(f"| `{r['nodeid'].split('/')[-1]}` | {d:.3f} | {w:.3f} | {1000 * (d - w):.1f} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", default="uas", help="the role's set: uas, uac, proxy, stateless-proxy")
    parser.add_argument("--dut", default="kamailio-uas", help="a reference DUT (or a profile) of that role")
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 2], help="xdist workers per run (0: serial)")
    parser.add_argument("--top", type=int, default=10, help="list the slowest N tests of each run")
    parser.add_argument("--no-allure", action="store_true", help="run without allure-pytest")
    parser.add_argument("--json", type=Path, help="also write the figures and per-test results here")
    args, extra = parser.parse_known_args(argv)
    out: dict[str, Any] = {"role": args.role, "dut": args.dut, "runs": []}
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        for workers in args.workers:
            measured = run(args.role, args.dut, workers, not args.no_allure, Path(tmp) / f"n{workers}", extra)
            fig = figures(measured)
            print("\n".join(render(fig, measured["results"], args.top)), end="\n\n", flush=True)
            out["runs"].append({**fig, "results": [{k: r.get(k) for k in ("nodeid", "verdict", "duration", "waited")}
                                                   for r in measured["results"]]})
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
