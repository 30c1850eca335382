"""Every UAS conformance test is shown to pass against a device that keeps its clause and to fail
against one that breaks it (the project's standard), with the devices of ``tests/faulty/uas/``.

Each run is a real ``pytest conformance/uas/<module> --sip-dut <profile>`` in a subprocess, read back
from its results.json. The table ``MUTANTS`` reads: this fault -> this clause -> this verdict, whose
message says this; the clauses in ``clean`` are run alongside and must still pass, so a verdict names
the broken clause and nothing else. ``also`` lists the few collateral verdicts a fault cannot avoid
(the same wire behaviour is what another clause looks at), asserted as well so they stay known.
"""

from __future__ import annotations

import json
import selectors
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest
from selftest_support import ROOT, clause_modules, runs_over

from sipconform.dut.probe import probe

UAS_DIR = ROOT / "conformance" / "uas"


MODULES = clause_modules(UAS_DIR)


def _transports_of(path: Path) -> tuple[str, ...]:
    """The transports of udp and tcp a module's transport marker or ``requires(transport=...)`` allows."""
    return tuple(t for t in ("udp", "tcp") if runs_over(path, t))


RUNS_OVER = {c: _transports_of(p) for c, p in MODULES.items()}
FAIL, WARN, INCONCLUSIVE = "fail", "warn", "inconclusive"
NAMED = "pass"  # a malformed message (RFC 3261 §7.3.1, §7.2) that keeps the clause: the pass names the malformation
ALL = ("*",)  # clean=ALL: every other module of conformance/uas must pass as well


@dataclass(frozen=True)
class Mutant:
    fault: str                      # a FAULTS name of tests/faulty/uas/
    clause: str                     # the clause it breaks: that clause's module is run
    verdict: str                    # what the clause's tests must then say: fail (a MUST) or warn (a SHOULD);
                                    # NAMED: pass, naming the malformed message the clause's test read
    says: str                       # text every such verdict's message contains: it names the problem
    only: str = ""                  # only the tests whose node id contains this; the module's others pass
    clean: tuple[str, ...] = ()     # clauses run alongside that must still pass (ALL: every module)
    also: dict[str, str] = field(default_factory=dict)  # collateral: "clause[::node id part]" -> verdict
    transports: tuple[str, ...] = ("udp",)

    def expected(self, result: dict[str, Any]) -> str:
        if result["clause"] == self.clause and self.only in result["nodeid"]:
            return self.verdict
        for key, verdict in self.also.items():
            clause, _, part = key.partition("::")
            if result["clause"] == clause and part in result["nodeid"]:
                return verdict
        return "pass"

    def clauses(self, transport: str) -> list[str]:
        """The clauses whose modules the run takes: the broken one, the clean ones, the collateral ones."""
        clean = [c for c in MODULES if c not in STATELESS_CLAUSES] if self.clean == ALL else list(self.clean)
        wanted = dict.fromkeys([self.clause, *clean, *(k.partition("::")[0] for k in self.also)])
        return [c for c in wanted if transport in RUNS_OVER[c]]


M = Mutant
REFUSED_EVERY_CANCEL = {c: INCONCLUSIVE for c in (
    # a DUT that refuses every CANCEL: where the clause needs the 200 (CANCEL), or a variant of the CANCEL
    # is refused while a plain one is refused too (the control), the clause was not exercised (see 9.2-10)
    "RFC3261-9.2-11", "RFC3261-9.2-12", "RFC3261-20-2", "RFC3261-8.2.2.3-2", "RFC3261-9.2-3", "RFC3326-2-5",
    "RFC3261-17.2.3-3", "RFC3261-9.2-1::differing_only_in_form", "RFC6141-3.3-1", "RFC6141-3.8-1")}
PENDING_AFTER_CANCEL = {c: INCONCLUSIVE for c in (
    # a DUT that never ends a cancelled INVITE: where the clause needs the 487 that §9.2 has come "immediately"
    # (RFC3261-9.2-8, a SHOULD), awaited for ``Timers.immediately``, the clause was not exercised
    "RFC3261-8.2.6.2-1::487_mirrors_the_invite", "RFC3261-8.2.6.2-3", "RFC3261-9.2-13",
    "RFC3261-9.2-1::differing_only_in_form", "RFC3261-17.2.1-2", "RFC3261-17.2.1-3", "RFC3261-17.2.1-4",
    "RFC3261-17.2.2-1", "RFC3261-17.2.3-1", "RFC3261-17.2.3-2", "RFC3261-17.2.3-3", "RFC3261-18.2.2-1",
    "RFC3261-18.2.2-2", "RFC3261-20-2", "RFC3261-28.1-1", "RFC3262-3-1", "RFC3262-3-2", "RFC3262-3-3",
    "RFC3326-2-5", "RFC3581-4-2")}
TCP = ("udp", "tcp")
# fault                           clause broken         verdict  its message says
MUTANTS = [
    M("no-200-to-cancel",           "RFC3261-9.2-10",    FAIL, "but got 'SIP/2.0 481",
      clean=ALL, also=REFUSED_EVERY_CANCEL),
    M("no-487",                     "RFC3261-9.2-8",     WARN, "480 Temporarily Unavailable' instead of 487",
      clean=ALL, also={"RFC3261-28.1-2": FAIL}, transports=TCP),
    M("487-new-to-tag",             "RFC3261-8.2.6.2-3", FAIL, "differs from the 18x To tag",
      clean=ALL),
    M("cancel-200-other-to-tag",    "RFC3261-9.2-12",    WARN, "differs from the INVITE's 18x To tag",
      clean=("RFC3261-8.2.6.2-2", "RFC3261-9.2-10")),
    M("cancel-200-no-to-tag",       "RFC3261-8.2.6.2-2", FAIL, "has no To tag",
      clean=("RFC3261-9.2-10",), also={"RFC3261-9.2-12": WARN}),
    M("cancel-200-bad-via",         "RFC3261-8.2.6.2-1", FAIL, "Via values", only="mirrors_the_cancel",
      clean=("RFC3261-9.2-10",)),
    M("cancel-200-bad-call-id",     "RFC3261-8.2.6.2-1", FAIL, "Call-ID", only="mirrors_the_cancel",
      clean=("RFC3261-9.2-10",)),
    M("487-drops-via",              "RFC3261-8.2.6.2-1", FAIL, "Via values", only="487_mirrors_the_invite",
      clean=("RFC3261-9.2-8",)),
    M("487-two-to",                 "RFC3261-9.2-8",     NAMED, "'SIP/2.0 487 Request Terminated': 2 To header "
      "fields, where one is allowed (RFC 3261 §7.3.1, §20.39)", clean=("RFC3261-8.2.6.2-3", "RFC3261-9.2-10")),
    M("cancel-200-sip-7",           "RFC3261-9.2-10",    NAMED, "'SIP/7.0 200 OK': protocol version 'SIP/7.0', "
      "not SIP/2.0 (RFC 3261 §7.1, §7.2)", clean=("RFC3261-9.2-11", "RFC3261-9.2-8")),
    M("unmatched-cancel-200",       "RFC3261-9.2-6",     WARN, "'SIP/2.0 200 OK', not 481",
      clean=("RFC3261-17.2.3-1", "RFC3261-17.2.3-2", "RFC3261-21.4.25-1")),
    M("match-on-call-id-only",      "RFC3261-9.2-1",     FAIL, "got 'SIP/2.0 487",
      only="other_branch_or_sent_by", clean=("RFC3261-9.2-10", "RFC3261-17.2.3-3")),
    M("match-ignores-branch",       "RFC3261-17.2.3-1",  FAIL, "ended the ringing INVITE",
      clean=ALL, also={"RFC3261-9.2-6::other-branch": INCONCLUSIVE, "RFC3261-9.2-1::-other-branch]": FAIL}),
    M("match-ignores-sent-by",      "RFC3261-17.2.3-2",  FAIL, "ended the ringing INVITE",
      clean=("RFC3261-17.2.3-1",), also={"RFC3261-9.2-6::other-sent-by": INCONCLUSIVE}),
    M("no-rfc2543-matching",        "RFC3261-17.2.3-3",  FAIL, "481 Call/Transaction Does Not Exist', not 200",
      clean=("RFC3261-9.2-10", "RFC3261-17.2.3-1"), transports=TCP),
    M("cancel-after-final-487",     "RFC3261-9.2-7",     FAIL, "487 Request Terminated",
      clean=("RFC3261-9-1", "RFC6026-6-1"), transports=TCP),
    M("late-cancel-kills-dialog",   "RFC3261-9-1",       FAIL, "the session was torn down",
      clean=ALL, transports=TCP),
    M("cancel-after-2xx-481",       "RFC6026-6-1",       FAIL, "the INVITE transaction was destroyed",
      clean=("RFC3261-9.2-7", "RFC3261-9-1")),
    M("487-not-retransmitted",      "RFC3261-17.2.1-2",  FAIL, "Timer G should have retransmitted it",
      clean=("RFC3261-9.2-8", "RFC3261-17.2.1-4")),
    M("ack-does-not-stop-487",      "RFC3261-17.2.1-4",  FAIL, "retransmitted",
      clean=("RFC3261-17.2.1-2", "RFC3261-9.2-8")),
    M("cancel-timer-j-short",       "RFC3261-17.2.2-2",  FAIL, "of the CANCEL (in Completed, before Timer J) got no 200",
      clean=("RFC3261-9.2-13", "RFC3261-9.2-10")),
    M("cancel-without-transaction", "RFC3261-9.2-13",    FAIL, "its server transaction did not answer",
      clean=("RFC3261-9.2-10", "RFC3261-9.2-8"), also={"RFC3261-17.2.2-2": FAIL}),
    M("487-to-cancel",              "RFC3261-21.4.25-1", FAIL, "answered 487",
      clean=ALL, also={**REFUSED_EVERY_CANCEL, "RFC3261-9.2-10": FAIL, "RFC3261-9.2-6": INCONCLUSIVE}),
    M("require-in-cancel-420",      "RFC3261-8.2.2.3-2", FAIL, "420 Bad Extension",
      clean=("RFC3261-9.2-10", "RFC3261-9.2-3")),
    M("challenge-cancel",           "RFC3261-22.1-1",    FAIL, "the CANCEL was challenged: 'SIP/2.0 407",
      clean=("RFC3261-13.1-1", "RFC3261-21.4.25-1"), also={"RFC3261-9.2-6": INCONCLUSIVE}),
    M("180-to-cancel",              "RFC4320-4.1-1",     FAIL, "the provisional 'SIP/2.0 180 Ringing'",
      clean=ALL, also={"RFC3261-8.2.6.1-1": WARN}),
    M("cancel-not-allowed-405",     "RFC3261-13.1-1",    FAIL, "405 Method Not Allowed",
      clean=("RFC3261-21.4.25-1", "RFC3261-22.1-1", "RFC4320-4.1-1"), also={"RFC3261-9.2-6": INCONCLUSIVE}),
    M("unknown-header-400",         "RFC3261-9.2-3",     FAIL, "unknown header field got 'SIP/2.0 400",
      clean=("RFC3261-8.2.2.3-2", "RFC3326-2-5", "RFC3261-9.2-10")),
    M("reason-400",                 "RFC3326-2-5",       FAIL, "got 'SIP/2.0 400", only="unknown-protocol",
      clean=("RFC3261-9.2-3",)),
    M("bye-early-no-final",         "RFC3261-15.1.2-1",  FAIL, "sent no response to INVITE",
      clean=("RFC3261-9.2-8",)),
    M("bye-early-480",              "RFC3261-15.1.2-1",  WARN, "487 is RECOMMENDED",
      clean=("RFC3261-9.2-8",), transports=TCP),
    M("bye-on-reject",              "RFC3261-15-2",      FAIL, "MUST NOT send a BYE on an early dialog",
      clean=("RFC3261-15.1.2-1", "RFC3261-9.2-8"), transports=TCP),
    M("cancel-on-reject",           "RFC3261-15-2",      FAIL, "CANCEL is for requests one sent",
      clean=("RFC3261-15.1.2-1", "RFC3261-9.2-10"), transports=TCP),
    M("cancel-200-bad-cseq",        "RFC3261-9.2-11",    FAIL, "CSeq 2 CANCEL differs",
      clean=ALL, also={"RFC3261-8.2.6.2-1::mirrors_the_cancel": FAIL}),
    M("options-cancelled-487",      "RFC3261-9.2-9",     FAIL, "changed the answered OPTIONS",
      clean=("RFC3261-9.2-6", "RFC3261-9.2-10"), transports=TCP),
    M("cancel-copy-481",            "RFC3261-17.2.2-1",  FAIL, "was taken for a new request",
      clean=("RFC3261-9.2-10", "RFC3261-9.2-8"), also={"RFC3261-17.2.2-2": FAIL}),
    M("cancel-merged-482",          "RFC3261-8.2.2.2-1", FAIL, "taken for a merged request: 'SIP/2.0 482",
      only="other_branch", clean=ALL, also={"RFC3261-9.2-6::not_matching": INCONCLUSIVE}),
    M("slow-provisional",           "RFC3261-17.2.1-1",  FAIL, "a 100 (Trying) is due within 200 ms",
      clean=("RFC3261-9.2-10", "RFC3261-9.2-8", "RFC3261-13.3.1-1"), transports=TCP),
    M("cancel-leaves-invite-pending", "RFC3261-28.1-2",  FAIL, "sent no response to INVITE",
      clean=ALL, also={**PENDING_AFTER_CANCEL, "RFC3261-9.2-8": WARN}),
    M("100-to-cancel",              "RFC3261-8.2.6.1-1", WARN, "sent the provisional 'SIP/2.0 100 Trying' to the CANCEL",
      clean=("RFC4320-4.1-1", "RFC3261-9.2-10")),
    M("no-received",                "RFC3261-18.2.1-1",  FAIL, "no received=127.0.0.1",
      clean=("RFC3261-9.2-10",), also={"RFC3581-4-1": FAIL}, transports=TCP),
    M("rport-not-filled",           "RFC3581-4-1",       FAIL, "rport not set to",
      clean=("RFC3261-18.2.1-1", "RFC3261-9.2-10"), transports=TCP),
    M("response-to-source-port",    "RFC3261-18.2.2-2",  FAIL, "went to the source port",
      clean=("RFC3581-4-2", "RFC3261-9.2-10")),
    M("rport-ignored",              "RFC3581-4-2",       FAIL, "went to the sent-by port",
      clean=("RFC3261-18.2.2-2", "RFC3261-9.2-10")),
    M("cancel-200-on-invite-connection", "RFC3261-18.2.2-1", FAIL, "to the CANCEL came on the INVITE's connection",
      clean=("RFC3261-9.2-10", "RFC3261-28.1-1"), transports=("tcp",)),
    M("connection-close-cancels",   "RFC3261-28.1-1",    FAIL, "closing the TCP connection ended the ringing INVITE",
      clean=("RFC3261-9.2-10", "RFC3261-18.2.2-1"), transports=("tcp",)),
    M("allow-without-cancel",       "RFC3261-20.5-1",    FAIL, "Allow does not list CANCEL",
      clean=("RFC3261-13.1-1", "RFC3261-9.2-10")),
    M("na-header-400",              "RFC3261-20-2",      FAIL, "must be ignored",
      clean=("RFC3261-9.2-3", "RFC3261-9.2-10", "RFC3261-8.2.2.3-2"), transports=TCP),
    M("accepted-forgets-invite",    "RFC6026-7.1-1",     FAIL, "was not absorbed",
      clean=("RFC6026-6-1", "RFC3261-9.2-7")),
    M("expires-ignored",            "RFC3261-13.3.1-1",  WARN, "still pending",
      clean=("RFC3261-9.2-8",)),
    M("timer-h-long",               "RFC3261-17.2.1-3",  FAIL, "past Timer H",
      clean=("RFC3261-17.2.1-2", "RFC3261-9.2-8")),
    M("drop-on-transport-error",    "RFC6026-6-2",       FAIL, "destroyed the INVITE server transaction",
      clean=("RFC3261-28.1-1", "RFC3261-9.2-10"), also={"RFC6026-7.1-2": FAIL}, transports=("tcp",)),
    M("transport-error-ends-transaction", "RFC6026-7.1-2", FAIL, "was processed as a new request",
      clean=("RFC6026-6-2", "RFC3261-28.1-1", "RFC3261-9.2-10"), transports=("tcp",)),
    M("487-waits-for-prack",        "RFC3262-3-1",       FAIL, "held pending the PRACK",
      clean=("RFC3261-28.1-2", "RFC3261-9.2-8"), transports=TCP),
    M("prack-after-final-unanswered", "RFC3262-3-2",     FAIL, "was not prepared to process it",
      only="prack_after_final_is_processed", clean=("RFC3262-3-1", "RFC3262-3-3"), transports=TCP),
    M("reliable-180-outlives-final", "RFC3262-3-2",      WARN, "was retransmitted",
      only="not_retransmitted", clean=("RFC3262-3-1", "RFC3262-3-3")),
    M("new-reliable-180-after-final", "RFC3262-3-3",     FAIL, "sent a new reliable provisional",
      clean=("RFC3262-3-1", "RFC3262-3-2"), transports=TCP),
    M("no-ringing-refresh",         "RFC3261-13.3.1.1-1", FAIL, "one is due at every minute",
      clean=("RFC3261-9.2-10",)),
    M("reinvite-487-after-executed", "RFC6141-3.8-1",    WARN, "was answered 'SIP/2.0 487 Request Terminated' instead "
      "of a 2xx", clean=("RFC3261-9.2-8", "RFC3262-3-1"), also={"RFC6141-3.3-1": WARN}, transports=TCP),
    M("reinvite-500-after-executed", "RFC6141-3.3-1",    WARN, "'SIP/2.0 500 Server Internal Error': a 2xx is due",
      clean=("RFC3261-9.2-8",), also={"RFC6141-3.8-1": WARN}),
    M("stateless-answers-cancel",   "RFC3261-8.2.7-1",   FAIL, "must ignore CANCEL", transports=TCP),
]
STATELESS_CLAUSES = ("RFC3261-8.2.7-1",)
"""Clauses of a stateless UAS (§8.2.7): not-applicable to the conformant (stateful) device, passed by its
stateless mode."""
CASES = [pytest.param(m, t, id=f"{m.fault}-{t}") for m in MUTANTS for t in m.transports]


def _modules(clauses: list[str]) -> list[Path]:
    """The modules checking ``clauses`` (each must exist)."""
    missing = [c for c in clauses if c not in MODULES]
    assert not missing, f"no module in {UAS_DIR.relative_to(ROOT)} checks {missing}"
    return [MODULES[c] for c in clauses]


def _ran_cleanly(run: Any, modules: list[Path]) -> None:
    """The run finished, wrote results for every module it was given, and the device raised nothing."""
    assert run.returncode is not None and run.document, f"the inner run did not finish:\n{run.diagnostics()}"
    assert "aborted" not in run.document, f"the inner run was aborted: {run.document['aborted']}\n{run.diagnostics()}"
    seen = {r["nodeid"].split("::")[0] for r in run.results}
    silent = [str(m.relative_to(ROOT)) for m in modules if str(m.relative_to(ROOT)) not in seen]
    assert not silent, f"modules that produced no verdict over {run.transport}: {silent}\n{run.diagnostics()}"
    assert not run.device.errors, "the device's own code raised:\n" + "\n".join(run.device.errors)


# -- the conformant device: every clause passes -------------------------------------------------------------
@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_conformant_device_passes_every_uas_clause(run_against: Callable[..., Any], transport: str) -> None:
    modules = [p for c, p in MODULES.items() if transport in RUNS_OVER[c]]
    run = run_against(None, modules, transport)
    _ran_cleanly(run, modules)
    wrong = [r for r in run.results
             if r["verdict"] != ("not-applicable" if r["clause"] in STATELESS_CLAUSES else "pass")]
    assert not wrong, (f"against the conformant device over {transport} every verdict must be pass; these are "
                       f"not:\n{run.describe(wrong)}\n\n{run.diagnostics()}")


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_conformant_stateless_device_passes_its_clauses(run_against: Callable[..., Any], transport: str) -> None:
    modules = _modules(list(STATELESS_CLAUSES))
    run = run_against(None, modules, transport, stateless=True)
    _ran_cleanly(run, modules)
    wrong = [r for r in run.results if r["verdict"] != "pass"]
    assert not wrong, f"the conformant stateless device over {transport}:\n{run.describe(wrong)}\n\n{run.diagnostics()}"


# -- each fault: its clause fails (or warns), the others stay clean -------------------------------------------
@pytest.mark.parametrize(("mutant", "transport"), CASES)
def test_fault_is_caught_by_its_clause_only(run_against: Callable[..., Any], mutant: Mutant, transport: str) -> None:
    modules = _modules(mutant.clauses(transport))
    run = run_against(mutant.fault, modules, transport)
    _ran_cleanly(run, modules)
    wrong = [(r, mutant.expected(r)) for r in run.results if r["verdict"] != mutant.expected(r)]
    assert not wrong, (
        f"fault {mutant.fault!r} over {transport}: verdicts differ from the table:\n"
        + "\n".join(f"  expected {want:<5} got {r['verdict']:<12} {r['nodeid']}: {r['message'][:300]}"
                    for r, want in wrong)
        + f"\n\nall verdicts:\n{run.describe()}\n\n{run.diagnostics()}")
    caught = [r for r in run.results if r["clause"] == mutant.clause and r["verdict"] == mutant.verdict]
    assert caught, f"no {mutant.verdict} for {mutant.clause}:\n{run.describe()}"
    unnamed = [r for r in caught if mutant.says not in r["message"]]
    assert not unnamed, (f"the {mutant.verdict} verdicts of {mutant.clause} must name the problem "
                         f"({mutant.says!r}):\n{run.describe(unnamed)}")


# -- the table is complete -------------------------------------------------------------------------------------
def test_every_uas_module_has_a_fault_that_breaks_it() -> None:
    targeted = {m.clause for m in MUTANTS}
    untested = sorted(c for c in MODULES if c not in targeted)
    assert not untested, (f"conformance/uas modules no fault of tests/faulty/uas/ breaks: "
                          f"{[MODULES[c].name for c in untested]}; add a fault and a row to MUTANTS")


def test_table_and_device_agree_on_the_faults(faulty: ModuleType) -> None:
    table = {m.fault: m.clause for m in MUTANTS}
    device = {name: clause for name, (clause, _) in faulty.FAULTS.items()}
    other = [f for f in table.keys() & device.keys() if table[f] != device[f]]
    assert table == device, (f"MUTANTS and FAULTS differ: table only {table.keys() - device.keys()}, device only "
                             f"{device.keys() - table.keys()}, other clause {other}")
    assert len({(m.fault) for m in MUTANTS}) == len(MUTANTS)


# -- the device itself -----------------------------------------------------------------------------------------
def test_device_serves_udp_and_tcp_on_one_port_and_stops_within_a_few_t1(faulty: ModuleType) -> None:
    device = faulty.FaultyUas(None).start()
    try:
        for transport in ("udp", "tcp"):
            answer = probe("127.0.0.1", device.port, transport, 2.0, retry_s=device.timers.t1)
            assert answer is not None and answer.startswith("SIP/2.0 200"), f"OPTIONS over {transport}: {answer!r}"
    finally:
        began = time.monotonic()
        device.stop()
        took = time.monotonic() - began
    assert took < 20 * device.timers.t1, f"stop() took {took:.2f} s"
    assert not device.errors, device.errors
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:  # the port is free again
        sock.bind(("127.0.0.1", device.port))


def test_unknown_fault_is_refused(faulty: ModuleType) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        faulty.FaultyUas("no-such-fault")


def test_device_runs_as_a_process_too(tmp_path: Path) -> None:
    """``python tests/faulty/uas --fault F --port 0 --profile P``: one JSON line, then serves until SIGTERM."""
    profile = tmp_path / "device.toml"
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "faulty" / "uas"), "--fault", "no-487",
                             "--port", "0", "--profile", str(profile)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            assert sel.select(20.0), "the device printed nothing within 20 s"
        started = json.loads(proc.stdout.readline())
        assert started["fault"] == "no-487" and started["profile"] == str(profile)
        assert f"port = {started['port']}" in profile.read_text()
        answer = probe("127.0.0.1", started["port"], "tcp", 5.0, retry_s=0.05)
        assert answer is not None and answer.startswith("SIP/2.0 200"), answer
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
