"""Every UAC conformance test is shown to pass against a UAC that keeps its clause and to fail (or warn,
for a SHOULD) against one that breaks it, with the UACs of ``tests/faulty/uac.py``.

Each run is a real ``pytest conformance/uac/<module> --sip-dut <profile>`` in a subprocess, as a lab
would run it: the profile's exec upper tester starts one UAC process per call and signals the hang-up.
The verdicts are read back from the run's results.json. ``MUTANTS`` reads: this fault -> this clause ->
this verdict, whose message says this; ``only`` narrows it to the parametrised cases the fault can show
in (the others must pass); the clauses in ``clean`` run alongside and must still pass.

Helpers live in this module (not in tests/mutation/conftest.py, which serves the UAS mutations); the
fixture names carry ``uac`` so the two never clash.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from selftest_support import ROOT, clause_modules, inner_run_env, load_file_module, runs_over

UAC_DIR = ROOT / "conformance" / "uac"
DEVICE_FILE = ROOT / "tests" / "faulty" / "uac.py"
RUN_TIMEOUT_S = 300.0  # one inner run; the whole UAC set with the slow 64*T1 test takes ~40 s alone


def _device() -> ModuleType:
    """``tests/faulty/uac.py`` as a module."""
    return load_file_module(DEVICE_FILE, "sipconform_selftest_faulty_uac")


MODULES = clause_modules(UAC_DIR)
FAULTS: dict[str, tuple[str, str]] = _device().FAULTS


@dataclass(frozen=True)
class UacRun:
    command: list[str]
    returncode: int | None
    output: str
    document: dict[str, Any]

    @property
    def results(self) -> list[dict[str, Any]]:
        return list(self.document.get("results", []))

    def table(self) -> str:
        return "\n".join(f"  {r['verdict']:<13} {r['nodeid'].split('::')[-1]}  {(r.get('message') or '')[:160]!r}"
                         for r in self.results) or "  (no results)"

    def diagnostics(self) -> str:
        return (f"command: {' '.join(self.command)}\nexit status: {self.returncode}\nverdicts:\n{self.table()}\n"
                "output (tail):\n" + "\n".join(self.output.splitlines()[-60:]))


@pytest.fixture
def run_uac(tmp_path: Path) -> Callable[..., UacRun]:
    """``run_uac(fault, clauses, transport)``: write the exec profile of that UAC (None: conformant), run
    the clauses' modules against it in a subprocess pytest, return the verdicts."""
    device = _device()

    def run(fault: str | None, clauses: Sequence[str], transport: str) -> UacRun:
        label = f"{fault or 'conformant'}-{transport}"
        profile = tmp_path / f"{label}.toml"
        profile.write_text(device.profile_toml(f"faulty-uac-{label}", tmp_path / f"{label}.ctl", fault),
                           encoding="utf-8")
        out = tmp_path / f"results-{label}.json"
        modules = [str(MODULES[c].relative_to(ROOT)) for c in dict.fromkeys(clauses)]
        command = [sys.executable, "-m", "pytest", *modules, "--sip-dut", str(profile), "--sip-results", str(out),
                   "--sip-transport", transport, "--no-sip-probe", "-o", f"sip_reports={tmp_path / 'reports'}",
                   "-p", "no:allure_pytest", "-p", "no:cacheprovider", "-p", "no:randomly", "-q", "-rA",
                   "--no-header"]
        env = inner_run_env()
        try:
            proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                                  timeout=RUN_TIMEOUT_S, check=False)
            returncode, output = proc.returncode, proc.stdout + proc.stderr
        except subprocess.TimeoutExpired as exc:
            returncode, output = None, f"TIMEOUT after {RUN_TIMEOUT_S} s\n{exc.stdout or ''}{exc.stderr or ''}"
        document = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
        return UacRun(command, returncode, output, document)

    return run


@dataclass(frozen=True)
class Mutant:
    fault: str                    # a FAULTS name of tests/faulty/uac.py
    verdict: str                  # what the broken clause's tests say: fail (MUST) or warn (SHOULD)
    says: str                     # text every such verdict's message contains
    only: str = ""                # only the tests whose node id contains this; the module's others pass
    clean: tuple[str, ...] = ()   # clauses run alongside that must still pass
    transports: tuple[str, ...] = ("udp",)

    @property
    def clause(self) -> str:
        return FAULTS[self.fault][0]

    def expected(self, result: dict[str, Any]) -> str:
        return self.verdict if result["clause"] == self.clause and self.only in result["nodeid"] else "pass"


M = Mutant
FAIL, WARN, BOTH = "fail", "warn", ("udp", "tcp")
ACK_CLEAN = ("RFC3261-9.1-3",)               # a CANCEL clause: ACK faults leave the CANCEL alone
CANCEL_CLEAN = ("RFC3261-17.1.1.3-3",)       # an ACK clause: CANCEL faults leave the ACK alone
REACK_CLEAN = ("RFC3261-17.1.1.2-2", "RFC6026-8.4-2")  # the transaction re-sends the (faulty) ACK for a 487 copy
MUTANTS = [
    M("cancel-to-tag", FAIL, "To tag is", only="after-180", clean=CANCEL_CLEAN, transports=BOTH),
    M("cancel-extra-via", FAIL, "not exactly one", clean=(*CANCEL_CLEAN, "RFC3261-17.1.2.2-2", "RFC3261-17.1.2.2-3",
                                                             "RFC3261-9.1-11", "RFC3262-4-1", "RFC6026-8.4-2",
                                                             "RFC3261-8.1.3.3-1")),
    M("cancel-cseq-lowercase", FAIL, "cancel'"),
    M("cancel-cseq-number", FAIL, "CSeq number", clean=("RFC3261-9.1-4",)),  # 9.1-4 judges the method only
    M("cancel-no-route", FAIL, "Route values", clean=("RFC3261-17.1.1.3-4",), transports=BOTH),
    M("cancel-require", FAIL, "Require: 100rel"),
    M("ack-proxy-require", FAIL, "the ACK carries Proxy-Require", clean=("RFC3261-9.1-6", *REACK_CLEAN)),
    M("cancel-no-max-forwards", FAIL, "mandatory header field(s): max-forwards"),
    M("cancel-before-provisional", FAIL, "no provisional", transports=BOTH),
    M("no-cancel-after-late-1xx", FAIL, "no CANCEL within", clean=("RFC3261-9.1-8",)),
    M("cancel-after-final", WARN, "already received its final response 486", only="after-486", transports=BOTH),
    M("cancel-no-retransmit", FAIL, "retransmitted 0 time(s)"),
    M("cancel-to-request-uri", FAIL, "but the CANCEL to callee", clean=("RFC3261-17.1.1.2-1",), transports=BOTH),
    M("cancel-new-connection", WARN, "new TCP connection", transports=("tcp",)),
    M("ack-after-cancel-200", FAIL, "once the CANCEL got its 200", only="487-then-200", clean=REACK_CLEAN,
      transports=BOTH),
    M("keeps-invite-forever", WARN, "still held the INVITE client transaction", transports=BOTH),
    M("no-ack", FAIL, "no ACK for the 487", transports=BOTH),
    M("ack-wrong-from-tag", FAIL, "From tag is 'not-the-invites'", clean=(*ACK_CLEAN, *REACK_CLEAN)),
    M("ack-to-without-tag", FAIL, "To tag is None", clean=(*ACK_CLEAN, *REACK_CLEAN), transports=BOTH),
    M("ack-new-branch", FAIL, "Via branch", clean=(*ACK_CLEAN, "RFC3261-17.1.1.2-2", "RFC3261-17.1.3-1")),
    M("ack-no-route", FAIL, "Route values", clean=("RFC3261-9.1-5", *REACK_CLEAN)),
    M("ack-body", WARN, "NOT RECOMMENDED", clean=REACK_CLEAN),
    M("no-ack-2xx", FAIL, "sent no ACK", clean=("RFC3261-9.1-13",), transports=BOTH),
    M("no-bye-after-2xx", WARN, "no BYE within", clean=("RFC3261-13.2.2.4-1", "RFC6026-7.2-1")),
    M("reason-same-protocol", FAIL, "two Reason values with protocol 'SIP'"),
    M("cancel-timer-e-not-doubled", FAIL, "Timer E (T1=", clean=("RFC3261-9.1-11", "RFC3261-17.1.2.2-2")),
    M("cancel-stops-on-1xx", FAIL, "in \"Proceeding\"", clean=("RFC3261-17.1.2.2-1",)),
    M("cancel-no-completed-state", FAIL, "were not absorbed"),
    M("cancel-200-as-answer", FAIL, "for an answer to its INVITE", clean=("RFC3261-17.1.1.3-2", "RFC3261-17.1.2.2-3",
                                                                     "RFC3261-9.1-15"),
      transports=BOTH),
    M("no-reack-487", FAIL, "must have the ACK sent again", clean=("RFC3261-17.1.1.2-1",)),
    M("short-timer-d", FAIL, "before Timer D", clean=("RFC3261-17.1.1.2-2",)),
    M("487-copies-to-tu", FAIL, "passed up to the TU", clean=("RFC3261-17.1.1.2-2",)),
    M("bye-on-cancel-timeout", FAIL, "a 408 to a CANCEL never calls for", clean=("RFC3261-9.1-15",)),
    M("cancel-no-content-length", FAIL, "Content-Length", transports=("tcp",)),
    M("cancel-contact", FAIL, "the CANCEL carries Contact", clean=("RFC3261-20-1",)),
    M("bye-invite-branch", FAIL, "the BYE has the INVITE's branch", clean=("RFC3261-13.2.2.4-1", "RFC6026-7.2-1")),
    M("allow-without-cancel", FAIL, "lacks CANCEL"),
    M("acks-unknown-branch", FAIL, "must be discarded", transports=BOTH),
    M("acks-late-487", FAIL, "simply dropped", clean=("RFC3261-17.1.1.2-1",), transports=("tcp",)),
    M("first-2xx-only", FAIL, "no ACK for the 2xx", clean=("RFC3261-13.2.2.4-1",), transports=BOTH),
    M("accepts-extra-via-response", WARN, "two Via values"),
    M("drops-rport-response", FAIL, "did not take the response", clean=("RFC3261-17.1.2.2-3",)),
    M("ack-new-connection", WARN, "RECOMMENDED", clean=("RFC3261-9.1-12",), transports=("tcp",)),
    M("ignores-expires", WARN, "no CANCEL by", clean=("RFC3261-9.1-2",), transports=BOTH),
    M("cancel-consumes-cseq", FAIL, "the BYE's CSeq number is", clean=("RFC3261-14.1-1",), transports=BOTH),
    M("487-ends-dialog", FAIL, "did not keep the call", clean=("RFC3261-12.2.1.1-1",), transports=BOTH),
    M("cancel-without-caller-prefs", FAIL, "the CANCEL's accept-contact values", clean=("RFC3261-9.1-2",)),
    M("late-1xx-recancels", WARN, "as if its INVITE were pending", transports=BOTH),
    M("cancel-re-resolves", FAIL, "not to the server the INVITE was delivered to", clean=("RFC3261-9.1-12",),
      transports=BOTH),
]
CASES = [pytest.param(m, t, id=f"{m.fault}-{t}") for m in MUTANTS for t in m.transports]


@pytest.mark.parametrize("mutant, transport", CASES)
def test_faulty_uac_breaks_its_clause(run_uac: Callable[..., UacRun], mutant: Mutant, transport: str) -> None:
    clean = [c for c in mutant.clean if runs_over(MODULES[c], transport)]  # a UDP-only clean clause skips TCP
    run = run_uac(mutant.fault, [mutant.clause, *clean], transport)
    assert run.results, f"no verdicts recorded\n{run.diagnostics()}"
    assert {r["clause"] for r in run.results} >= {mutant.clause, *clean}, run.diagnostics()
    wrong = [r for r in run.results if r["verdict"] != mutant.expected(r)]
    assert not wrong, f"{mutant.fault} ({FAULTS[mutant.fault][1]}):\n{run.diagnostics()}"
    for r in run.results:
        if r["verdict"] != "pass":
            assert mutant.says in r["message"], f"the verdict does not name the problem:\n{run.diagnostics()}"


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_conformant_uac_keeps_every_uac_clause(run_uac: Callable[..., UacRun], transport: str) -> None:
    """The whole conformance/uac set, the slow tests included: every verdict is pass (a module for the other
    transport only is left out)."""
    run = run_uac(None, [c for c, module in MODULES.items() if runs_over(module, transport)], transport)
    expected = {clause for clause, module in MODULES.items() if runs_over(module, transport)}
    assert {r["clause"] for r in run.results} == expected, run.diagnostics()
    assert all(r["verdict"] == "pass" for r in run.results), run.diagnostics()
    assert run.returncode == 0, run.diagnostics()


def test_every_uac_clause_has_a_fault_and_every_fault_a_mutant() -> None:
    assert {m.fault for m in MUTANTS} == set(FAULTS)
    assert {m.clause for m in MUTANTS} == set(MODULES), "a UAC module no faulty UAC breaks, or a fault for none"
