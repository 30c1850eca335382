"""The mutation harness: a role (its conformance directory and its faulty device), one inner ``pytest`` run of
some of its modules against the device started with a fault, and the judgement of that run against a row of
the fault table (``faulty.table``).

An inner run is a real ``pytest conformance/<role>/<module> --sip-dut <profile>`` in a subprocess, as a lab
would run it, read back from its results.json. The UAS and proxy devices run in a thread of this process
(their own reactor, port 0), so an xdist worker only talks to the devices it started; the UAC runs as one
process per call, started by its exec profile's upper tester. Every wait is bounded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faulty import proxy, uac_main, uas
from faulty.table import ALL, Fault
from faulty.table_proxy import (
    CONFORMANT_EXCEPT,
    PROXY,
    STATELESS_PROXY,
    TIMER_C_CLAUSES,
)
from faulty.table_uac import UAC
from faulty.table_uas import STATELESS_CLAUSES, UAS
from selftest_support import ROOT, clause_modules, inner_run_env, runs_over

RUN_TIMEOUT_S = 300.0  # one inner run; the whole UAC set with its slow 64*T1 test takes ~40 s alone
FLAGGED = ("fail", "warn", "error")
# The inner run is ``pytest.main`` behind a Hypothesis profile without the shrink and explain phases: a
# property module (RFC3261-9.2-1) failing against a faulty device would otherwise spend a minute making
# its counterexample minimal, and a self-test wants the verdict, not the smallest example.
_BOOT = ("import sys, pytest; from hypothesis import Phase, settings; "
         "settings.register_profile('sipconform-mutation', phases=[Phase.explicit, Phase.reuse, Phase.generate]); "
         "sys.exit(pytest.main(sys.argv[1:]))")


@dataclass
class _ExecUac:
    """The UAC "device": nothing to start here; its exec profile starts one UAC process per call. (A role's
    device has ``write_profile``, ``stop``, ``errors`` and ``trace``.)"""

    fault: str | None
    errors: list[str] = field(default_factory=list)

    def write_profile(self, path: Path) -> Path:
        label = path.stem
        path.write_text(uac_main.profile_toml(f"faulty-uac-{label}", path.with_suffix(".ctl"), self.fault),
                        encoding="utf-8")
        return path

    def stop(self) -> None:
        pass

    def trace(self) -> str:
        return ""


@dataclass(frozen=True)
class Role:
    """A role of the table: its rows, its conformance directory, how its device starts."""

    name: str
    rows: list[Fault]
    directory: str
    start: Callable[[str | None, dict[str, Any]], Any]
    clean_may: tuple[str, ...] = ("pass",)       # what a ``clean`` clause may say under another clause's fault
    conformant: dict[str, str] = field(default_factory=dict)  # clause -> verdict of the conformant device if not pass
    whole_set_skips: tuple[str, ...] = ()        # clauses the whole-directory run leaves out (own rows)
    args: tuple[str, ...] = ()

    @property
    def modules(self) -> dict[str, Path]:
        return _modules(self.directory)


_MODULES: dict[str, dict[str, Path]] = {}


def _modules(directory: str) -> dict[str, Path]:
    if directory not in _MODULES:
        _MODULES[directory] = clause_modules(ROOT / "conformance" / directory)
    return _MODULES[directory]


ROLES = {role.name: role for role in (
    Role("uas", UAS, "uas", lambda fault, opts: uas.FaultyUas(fault, **opts).start(),
         conformant=dict.fromkeys(STATELESS_CLAUSES, "not-applicable")),
    Role("proxy", PROXY, "proxy", lambda fault, opts: proxy.FaultyProxy(fault, **opts).start(),
         clean_may=("pass", "inconclusive", "not-applicable"), conformant=CONFORMANT_EXCEPT,
         whole_set_skips=TIMER_C_CLAUSES),
    Role("stateless-proxy", STATELESS_PROXY, "stateless_proxy",
         lambda fault, opts: proxy.FaultyProxy(fault, stateless=True, **opts).start(),
         clean_may=("pass", "inconclusive", "not-applicable")),
    Role("uac", UAC, "uac", lambda fault, opts: _ExecUac(fault), args=("--no-sip-probe", "-p", "no:randomly")),
)}


@dataclass
class Run:
    """One inner pytest run against one device: its results.json, output and the device."""

    device: Any
    transport: str
    command: list[str]
    returncode: int | None
    output: str
    document: dict[str, Any] = field(default_factory=dict)

    @property
    def results(self) -> list[dict[str, Any]]:
        return list(self.document.get("results", []))

    def describe(self, results: Sequence[dict[str, Any]] | None = None) -> str:
        return "\n".join(f"  {r['verdict']:<14} {r['nodeid']}  [{r['clause']}] {(r.get('message') or '')[:200]!r}"
                         for r in (self.results if results is None else results)) or "  (no results)"

    def diagnostics(self) -> str:
        """What to show when an expectation about this run fails: command, output tail, device state."""
        shown = ["python", "-m", "pytest", *self.command[3:]]  # what a person would type, without the boot code
        parts = [f"command: {' '.join(shown)}", f"exit status: {self.returncode}",
                 "output (tail):\n" + "\n".join(self.output.splitlines()[-40:])]
        if self.device.errors:
            parts.append("device errors:\n" + "\n".join(self.device.errors))
        if getattr(self.device, "peer_errors", None):
            parts.append("raised by the device's SipPeer machinery:\n" + "\n".join(self.device.peer_errors))
        parts.append("device wire trace (tail):\n" + "\n".join(self.device.trace().splitlines()[-60:]))
        return "\n\n".join(parts)


def run_inner(role: Role, fault: str | None, clauses: Sequence[str], transport: str | None, tmp_path: Path,
              device: dict[str, Any] | None = None) -> Run:
    """Start ``role``'s device with ``fault``, run the modules of ``clauses`` against its profile over
    ``transport`` (None: every transport of the profile), stop it; return the ``Run``."""
    dut = role.start(fault, dict(device or {}))
    label = f"{role.name}-{fault or 'conformant'}-{transport or 'all'}-{len(clauses)}"
    try:
        profile = dut.write_profile(tmp_path / f"{label}.toml")
        out = tmp_path / f"results-{label}.json"
        modules = [str(role.modules[c].relative_to(ROOT)) for c in dict.fromkeys(clauses)]
        command = [sys.executable, "-c", _BOOT, *modules, "--hypothesis-profile", "sipconform-mutation",
                   "--sip-dut", str(profile), "--sip-results", str(out),
                   *(["--sip-transport", transport] if transport else []),
                   # every report of the inner run into tmp_path, never into the tree's reports/ (ini key rather
                   # than --sip-reports: an unknown ini key is only a warning); no Allure, for speed
                   "-o", f"sip_reports={tmp_path / ('reports-' + label)}", "-p", "no:allure_pytest",
                   "-p", "no:cacheprovider", "-q", "-rA", "--no-header", *role.args]
        try:
            proc = subprocess.run(command, cwd=ROOT, env=inner_run_env(), capture_output=True, text=True,
                                  timeout=RUN_TIMEOUT_S, check=False)
            returncode, output = proc.returncode, proc.stdout + proc.stderr
        except subprocess.TimeoutExpired as exc:
            returncode, output = None, f"TIMEOUT after {RUN_TIMEOUT_S} s\n{_text(exc.stdout)}{_text(exc.stderr)}"
    finally:
        dut.stop()
    run = Run(dut, transport or "all", command, returncode, output)
    if out.is_file():
        run.document = json.loads(out.read_text(encoding="utf-8"))
    return run


def _text(data: bytes | str | None) -> str:
    return "" if data is None else data if isinstance(data, str) else data.decode("utf-8", "replace")


# -- judging a run against a row ------------------------------------------------------------------------------
def _part_of(result: dict[str, Any], part: str) -> bool:
    """Is ``part`` in the result's node id (the DUT's name taken out: it is made of the fault's)?"""
    return part in result["nodeid"].replace(str(result.get("dut", "")), "")


def expected(role: Role, row: Fault, result: dict[str, Any]) -> tuple[str, ...]:
    """The verdicts ``result`` may have under ``row``."""
    if result["clause"] == row.clause and (not row.only or any(_part_of(result, p) for p in row.only)):
        return (row.verdict,)
    for key, verdict in row.also.items():
        clause, _, part = key.partition("::")
        if result["clause"] == clause and _part_of(result, part):
            return (verdict,)
    if result["clause"] == row.clause:
        return ("pass",)
    return role.clean_may


def clauses_of(role: Role, row: Fault, transport: str) -> list[str]:
    """The clauses the row's run takes: the broken one, the clean ones, the collateral ones."""
    clean = [c for c in role.modules if c not in STATELESS_CLAUSES] if row.clean == ALL else list(row.clean)
    others = [c for c in [*clean, *(k.partition("::")[0] for k in row.also)] if runs_over(role.modules[c], transport)]
    return list(dict.fromkeys([row.clause, *others]))


def ran_cleanly(run: Run, role: Role, clauses: Sequence[str]) -> None:
    """The run finished, wrote results for every module it was given, and the device raised nothing."""
    assert run.returncode is not None and run.document, f"the inner run did not finish:\n{run.diagnostics()}"
    assert "aborted" not in run.document, f"the inner run was aborted: {run.document['aborted']}\n{run.diagnostics()}"
    silent = sorted(set(clauses) - {r["clause"] for r in run.results})
    assert not silent, f"clauses with no verdict over {run.transport}: {silent}\n{run.diagnostics()}"
    assert not run.device.errors, "the device's own code raised:\n" + "\n".join(run.device.errors)


def check_row(role: Role, row: Fault, transport: str, tmp_path: Path) -> None:
    """Run ``row`` over ``transport``: its clause says ``verdict`` (naming the problem) where ``only`` says,
    passes elsewhere; ``also`` as listed; the ``clean`` clauses stay clean."""
    clauses = clauses_of(role, row, transport)
    run = run_inner(role, row.name, clauses, transport, tmp_path, row.device)
    ran_cleanly(run, role, clauses)
    wrong = [(r, want) for r in run.results if r["verdict"] not in (want := expected(role, row, r))]
    assert not wrong, (f"{row.id} over {transport}: verdicts differ from the table:\n"
                       + "\n".join(f"  expected {'/'.join(want):<5} got {r['verdict']:<12} {r['nodeid']}: "
                                   f"{(r.get('message') or '')[:300]}" for r, want in wrong)
                       + f"\n\nall verdicts:\n{run.describe()}\n\n{run.diagnostics()}")
    caught = [r for r in run.results if r["clause"] == row.clause and r["verdict"] == row.verdict]
    assert caught, f"no {row.verdict} for {row.clause}:\n{run.describe()}"
    unnamed = [r for r in caught if row.verdict != "pass" and row.says not in (r.get("message") or "")]
    assert not unnamed, f"the {row.verdict} verdicts of {row.clause} must name the problem ({row.says!r}):\n" \
                        f"{run.describe(unnamed)}"


def check_no_crosstalk(role: Role, fault: str, transport: str, tmp_path: Path) -> None:
    """Run ``fault`` against the role's whole set: nothing outside the fault's rows (their clauses, ``also``
    and the conformant device's own exceptions) is flagged (fail, warn or error)."""
    rows = [r for r in role.rows if r.name == fault]
    clauses = [c for c, m in role.modules.items() if c not in role.whole_set_skips and runs_over(m, transport)]
    run = run_inner(role, fault, clauses, transport, tmp_path, rows[0].device)
    ran_cleanly(run, role, clauses)
    owned = {r.clause for r in rows} | {k.partition("::")[0] for r in rows for k in r.also} | set(role.conformant)
    flagged = [r for r in run.results if r["verdict"] in FLAGGED and r["clause"] not in owned]
    assert not flagged, (f"{fault} over {transport} flags clauses outside its rows {sorted(owned)}:\n"
                         f"{run.describe(flagged)}\n\n{run.diagnostics()}")
