"""Every proxy conformance module is shown to pass against a proxy that keeps its clause and to fail (or warn)
against one that breaks it, with the devices of ``tests/faulty/proxy.py``.

Each run is a real ``pytest conformance/proxy/<module> --sip-dut <profile>`` in a subprocess (as a lab would
run it), read back from its results.json. ``MUTANTS`` reads: this fault -> this clause -> this verdict, whose
message says this; ``only``: the test ids (substrings) that must get it, the module's other tests must still
pass; ``clean``: other clauses run in the same inner run, which must not fail or warn (the fault is attributed to
its clause alone: they pass, or are inconclusive where the fault keeps them from their state). Helpers live
here, not in a conftest, so the UAS/UAC mutation fixtures stay as they are.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from selftest_support import ROOT, clause_modules, inner_run_env, load_file_module, runs_over

DEVICE_FILE = ROOT / "tests" / "faulty" / "proxy.py"
RUN_TIMEOUT_S = 300.0
FAIL, WARN, PASS = "fail", "warn", "pass"
CLEAN = ("pass", "inconclusive", "not-applicable")  # what a ``clean`` clause may say under another clause's fault


STATEFUL = clause_modules(ROOT / "conformance" / "proxy")
BOTH_ROLES = ("RFC3261-16.6-8a", "RFC5393-4.2.1-1")  # one module in conformance/proxy serves both (role marker)
STATELESS = {**clause_modules(ROOT / "conformance" / "stateless_proxy"), **{c: STATEFUL[c] for c in BOTH_ROLES}}


def _device_module() -> ModuleType:
    """``tests/faulty/proxy.py`` as a module."""
    return load_file_module(DEVICE_FILE, "sipconform_selftest_faulty_proxy")


@dataclass(frozen=True)
class Mutant:
    fault: str | None               # a fault of tests/faulty/proxy.py (None: the conformant proxy)
    clause: str                     # the clause it breaks: that clause's module is run
    verdict: str                    # what the tests named by ``only`` must say
    says: str = ""                  # text of every such verdict's message
    only: tuple[str, ...] = ()      # node id parts of those tests (empty: all of the module's)
    transports: tuple[str, ...] = ("udp",)
    stateless: bool = False
    auth: bool = False
    timer_c: float | None = None    # the device's Timer C (and its profile's timer_c) if not its default 181 s
    clean: tuple[str, ...] = ()     # other clauses run alongside: pass, inconclusive or not-applicable only

    @property
    def id(self) -> str:
        return f"{self.fault or 'conformant'}->{self.clause}"

    def expected(self, result: dict[str, Any]) -> str:
        """The verdict ``result`` must have (``only`` is looked for in its node id without the DUT's name)."""
        nodeid = result["nodeid"].replace(str(result.get("dut", "")), "")
        return self.verdict if not self.only or any(part in nodeid for part in self.only) else PASS


M = Mutant
BOTH = ("udp", "tcp")
SHORT_C = 1.0  # a lab's short Timer C (20*T1 of the device), so that the §16.7/§16.8 tests end in seconds
MUTANTS = [
    M("forward-cancel", "RFC3261-9-4", FAIL, "to CANCEL within"),
    M("forward-cancel", "RFC3261-16.10-4", FAIL, "to CANCEL within",
      clean=("RFC3261-18.2.1-1", "RFC3261-9.2-13", "RFC3326-2-1", "RFC3581-4-1", "RFC5393-5.4.1-1")),
    M("relay-cancel-200", "RFC3261-16.7-3", FAIL, "forwarded a downstream response to its own CANCEL", transports=BOTH),
    M("relay-cancel-200", "RFC4320-4.2-2", FAIL, "relayed a downstream response", only=("test_late",)),
    M("cancel-non-invite", "RFC3261-9.1-1", WARN, "expected no CANCEL"),
    M("cancel-to-tag", "RFC3261-9.1-2", FAIL, "must not be copied into the CANCEL", transports=BOTH,
      clean=("RFC3261-16.10-5", "RFC3261-16.7-10")),
    M("cancel-two-vias", "RFC3261-9.1-3", FAIL, "Via values", clean=("RFC3261-16.10-5", "RFC3261-16.7-10")),
    M("cancel-cseq-invite", "RFC3261-9.1-4", FAIL, "method not 'CANCEL'",
      clean=("RFC3261-16.10-2", "RFC3261-16.10-5", "RFC3261-16.7-3", "RFC3261-17.1.1.3-1", "RFC3261-9-4")),
    M("cancel-without-route", "RFC3261-9.1-5", FAIL, "Route values"),
    M("cancel-with-require", "RFC3261-9.1-6", FAIL, "carries Require"),
    M("cancel-before-provisional", "RFC3261-9.1-8", FAIL, "expected no CANCEL", transports=BOTH),
    M("cancel-before-provisional", "RFC3261-16.7-10b", WARN, "expected no CANCEL", only=("silent_branch",)),
    M("never-cancel-late", "RFC3261-9.1-9", FAIL, "sent no CANCEL", only=("follows_the_late",),
      clean=("RFC3261-9.1-2",)),
    M("cancel-not-retransmitted", "RFC3261-9.1-11", FAIL, "was sent 1 time(s)"),
    M("cancel-to-wrong-port", "RFC3261-9.1-12", FAIL, "sent no CANCEL"),
    M("ack-after-cancel-200", "RFC3261-9.1-13", FAIL, "sent no ACK", only=("481-then-487", "487-only")),
    M("no-give-up", "RFC3261-9.1-15", WARN, "no final response reached the UAC"),
    M("match-by-call-id", "RFC3261-9.2-1", FAIL, "expected no CANCEL", only=("-other-",)),
    M(None, "RFC3261-9.2-4", PASS, auth=True, transports=BOTH),
    M("challenge-cancel", "RFC3261-9.2-4", FAIL, "challenged the CANCEL"),
    M("cancel-outside-transaction", "RFC3261-9.2-13", FAIL, "got no response"),
    M("cancel-new-branch", "RFC3261-16.6-8a", FAIL, "CANCEL branch"),
    M("forward-6xx-at-once", "RFC3261-16.7-5a", FAIL, "expected no final response"),
    M("new-branch-after-6xx", "RFC3261-16.7-5a", FAIL, "new branch"),
    M("no-cancel-on-6xx", "RFC3261-16.7-5a", WARN, "did not cancel the pending branch"),
    M("no-cancel-on-6xx", "RFC3261-16.7-10", WARN, "did not cancel the other", only=("603",)),
    M("drop-2xx-after-final", "RFC3261-16.7-5b", FAIL, "sent no 200 response"),
    M("forward-100", "RFC3261-16.7-5c", FAIL, "forwarded the branch's 100", only=("100_is_not",)),
    M("forward-487-at-once", "RFC3261-16.7-5c", FAIL, "expected no final response", only=("487_waits", "487_after"),
      clean=("RFC3261-16.7-10", "RFC3261-16.7-5a")),
    M("no-final-after-cancel", "RFC3261-16.7-6a", FAIL, "sent no final response", only=("once_every_branch",),
      clean=("RFC3261-16.10-2", "RFC3261-18.2.2-2", "RFC3261-9-4")),
    M("no-cancel-on-2xx", "RFC3261-16.7-10", FAIL, "sent no CANCEL", only=("200_on_one",),
      clean=("RFC3326-2-4", "RFC3326-3.1-1")),
    M("recancel-on-2xx", "RFC3261-16.7-10b", WARN, "got its CANCEL again", only=("not_cancelled_again",)),
    M("cancel-ended-branches", "RFC3261-16.7-10b", WARN, "expected no CANCEL", only=("final_response_is_not",)),
    M("cancel-ended-branches", "RFC3261-16.10-5", FAIL, "expected no CANCEL", only=("one-already-486",)),
    M("cancel-first-branch-only", "RFC3261-16.10-2", FAIL, "got no CANCEL", only=("two-branches", "three-branches")),
    M("cancel-first-branch-only", "RFC3261-16.10-5", FAIL, "sent no CANCEL"),
    M("cancel-on-expires", "RFC3261-16.10-3", WARN, "To"),
    M("delay-cancel-200", "RFC3261-16.10-4", FAIL, "to CANCEL within", transports=BOTH),
    M("unmatched-cancel-481", "RFC3261-16.10-6", WARN, "did not forward a CANCEL"),
    M("stateful-unmatched-cancel", "RFC3261-16.10-6", WARN, "forwarded statefully"),
    M("stateful-unmatched-cancel", "RFC4320-4.1-3", PASS, transports=BOTH),
    M(None, "RFC4320-4.1-3", "inconclusive", "statelessly"),
    M("stateful-unmatched-cancel-no-100", "RFC4320-4.1-3", FAIL, "no 100 or final response"),
    M("stateful-unmatched-cancel-408", "RFC4320-4.2-1", FAIL, "408", only=("context_less",)),
    M("relay-stray-responses", "RFC4320-4.2-2", FAIL, "had no server transaction for", only=("test_stray",)),
    M("ack-without-from-tag", "RFC3261-17.1.1.3-1", FAIL, "ACK From"),
    M("ack-to-without-tag", "RFC3261-17.1.1.3-2", FAIL, "is not the 487's",
      clean=("RFC3261-17.1.1.2-2", "RFC6026-8.4-1", "RFC6026-8.4-2")),
    M("ack-two-vias", "RFC3261-17.1.1.3-3", FAIL, "Via values"),
    M("no-ack", "RFC3261-17.1.1.2-1", FAIL, "expected ACK", transports=BOTH,
      clean=("RFC3261-17.1.1.3-3", "RFC3261-17.1.1.3-1", "RFC3261-16.6-8a", "RFC6026-8.4-2")),
    M("ack-without-route", "RFC3261-17.1.1.3-4", FAIL, "Route values"),
    M("ack-with-body", "RFC3261-17.1.1.3-5", WARN, "body"),
    M("reject-reason", "RFC3326-2-1", WARN, "'SIP/2.0 400"),
    M("drop-reason", "RFC3326-2-2", WARN, "carries Reason"),
    M("duplicate-reason-protocol", "RFC3326-2-4", FAIL, "the same protocol"),
    M("reject-unknown-reason", "RFC3326-2-5", WARN, "'SIP/2.0 400", only=("unknown-protocol",)),
    M("no-reason-after-2xx", "RFC3326-3.1-1", WARN, "has Reason"),
    M("180-to-cancel", "RFC4320-4.1-1", FAIL, "other than 100"),
    M("early-100-to-cancel", "RFC4320-4.1-2", FAIL, "before Timer E", only=("-matched-cancel",)),
    M("relay-stray-responses", "RFC6026-6-3", FAIL, "matched no transaction", transports=BOTH),
    M("relay-stray-2xx", "RFC6026-8.2-1", FAIL, "an INVITE it never sent", only=("-200]",)),
    M("relay-late-finals", "RFC6026-8.3-1", FAIL, "late 487"),
    M("cancel-no-t2-cap", "RFC3261-17.1.2.2-1", FAIL, "capped at T2", only=("follows_timer_e",)),
    M("cancel-ignores-100", "RFC3261-17.1.2.2-2", FAIL, "in Proceeding Timer E is T2"),
    M("resend-cancel-on-200-copy", "RFC3261-17.1.2.2-3", FAIL, "were not absorbed"),
    M("match-by-branch-only", "RFC3261-17.1.3-1", FAIL, "CSeq CANCEL", only=("200-then-487",), transports=BOTH),
    M("ack-final-once", "RFC3261-17.1.1.2-2", FAIL, "ACK again"),
    M("ack-final-once", "RFC6026-8.4-1", FAIL, "before Timer D"),
    M("ack-final-once", "RFC6026-8.4-2", FAIL, "ACK again"),
    M("drop-2xx-after-final", "RFC6026-7.2-1", FAIL, "missing", transports=BOTH),
    M(None, "RFC3261-16.8-1", PASS, timer_c=SHORT_C, transports=BOTH),
    M("timer-c-no-cancel", "RFC3261-16.8-1", FAIL, "without cancelling the branch", timer_c=SHORT_C),
    M(None, "RFC3261-16.7-2", PASS, timer_c=SHORT_C),
    M("timer-c-ignores-1xx", "RFC3261-16.7-2", FAIL, "expected no CANCEL", timer_c=SHORT_C),
    M(None, "RFC3261-16.6-11", PASS),  # 3 minutes: the RFC's Timer C has no shorter proof
    M("short-timer-c", "RFC3261-16.6-11", FAIL, "larger than 3 minutes"),
    M("cancel-on-transport-error", "RFC3261-16.9-1", WARN, "should not cancel", transports=("tcp",)),
    M(None, "RFC3261-16.9-1", PASS, transports=("tcp",)),
    M("drop-on-transport-error", "RFC6026-6-2", FAIL, "destroyed the INVITE server transaction", transports=("tcp",)),
    M("drop-on-transport-error", "RFC6026-7.1-2", FAIL, "was processed as a new request", transports=("tcp",)),
    M("transport-error-ends-transaction", "RFC6026-7.1-2", FAIL, "was processed as a new request",
      transports=("tcp",)),
    M("transport-error-ends-transaction", "RFC6026-6-2", PASS, transports=("tcp",)),
    M("cancel-new-branch", "RFC5393-4.2.1-1", FAIL, "differs from its INVITE's", transports=BOTH),
    M("sl-new-branch", "RFC5393-4.2.1-1", FAIL, "differs from the forwarded INVITE's", stateless=True),
    M("max-breadth-cancel-440", "RFC5393-5.4.1-1", FAIL, "Max-Breadth is meaningless"),
    M("cancel-despite-no-cancel", "RFC3841-9.1-1", WARN, "no-cancel"),
    M("no-199", "RFC6228-6-1", FAIL, "sent no 199", transports=BOTH),
    M("cancel-without-max-forwards", "RFC3261-20-1", FAIL, "max-forwards", transports=BOTH),
    M("cancel-copies-invite-headers", "RFC3261-20-2", FAIL, "not applicable to CANCEL"),
    M("no-received", "RFC3261-18.2.1-1", FAIL, "no received=127.0.0.1", transports=BOTH),
    M("rport-not-filled", "RFC3581-4-1", FAIL, "rport not set to", transports=BOTH),
    M("response-to-source-port", "RFC3261-18.2.2-2", FAIL, "went to the source port"),
    M("rport-ignored", "RFC3581-4-2", FAIL, "went to the sent-by port"),
    M("cancel-200-on-invite-connection", "RFC3261-18.2.2-1", FAIL, "to the CANCEL came on the INVITE's connection",
      transports=("tcp",)),
    M("cancel-on-new-connection", "RFC3261-18.1.1-1", WARN, "came on a new TCP connection", transports=("tcp",)),
    M("ack-stray-final", "RFC6026-8.9-1", FAIL, "did not silently discard a 487", only=("487-invite",),
      transports=BOTH),
    M("relay-stray-responses", "RFC6026-8.9-1", FAIL, "did not silently discard"),
    M("no-100", "RFC3261-17.2.1-1", FAIL, "sent no 100 (Trying)", transports=BOTH),
    M(None, "RFC3261-16.6-8a", PASS, stateless=True, transports=BOTH),
    M("sl-new-branch", "RFC3261-16.6-8a", FAIL, "differs from the forwarded INVITE's", stateless=True),
    M(None, "RFC3261-16.11-1", PASS, stateless=True, transports=BOTH),
    M("sl-cancel-elsewhere", "RFC3261-16.11-1", FAIL, "sent no CANCEL", stateless=True),
    M(None, "RFC3261-16.11-2", PASS, stateless=True, transports=BOTH),
    M("sl-answer-cancel", "RFC3261-16.11-2", FAIL, "answered the CANCEL itself", stateless=True),
    M(None, "RFC3263-4-1", PASS, transports=BOTH),
    M(None, "RFC3263-4-1", PASS, stateless=True, transports=BOTH),
    M("sl-cancel-re-resolves", "RFC3263-4-1", FAIL, "not to the server the INVITE was delivered to", stateless=True,
      transports=BOTH),
    M(None, "RFC3263-4.4-1", PASS, stateless=True, transports=BOTH),
    M("sl-srv-round-robin", "RFC3263-4.4-1", FAIL, "requests of the same transaction", stateless=True,
      transports=BOTH),
    M("cancel-re-resolves", "RFC3263-4-1", FAIL, "not to the server the INVITE was delivered to", transports=BOTH),
]
# Left out of the whole-directory run of the conformant proxy (its Timer C is the RFC's 181 s): own rows above.
TIMER_C_CLAUSES = ("RFC3261-16.6-11", "RFC3261-16.7-2", "RFC3261-16.8-1")
# Against the conformant stateful proxy the whole directory passes, but for these (and why):
CONFORMANT_EXCEPT = {
    "RFC3261-9.2-4": "inconclusive",   # it challenges nothing unless started with auth=True
    "RFC4320-4.1-3": "inconclusive",   # it forwards a context-less CANCEL statelessly: not the responder
}


def _run(tmp_path: Path, fault: str | None, modules: list[Path], transport: str | None, *, stateless: bool = False,
         auth: bool = False, timer_c: float | None = None) -> tuple[list[dict[str, Any]], str]:
    """Start the device, run pytest on ``modules`` against its profile, stop it; (results, diagnostics)."""
    options = {"timer_c": timer_c} if timer_c is not None else {}
    device = _device_module().FaultyProxy(fault, stateless=stateless, auth=auth, **options).start()
    label = f"{device.name}-{transport or 'all'}-{len(modules)}"
    profile = device.write_profile(tmp_path / f"{label}.toml")
    out = tmp_path / f"results-{label}.json"
    command = [sys.executable, "-m", "pytest", *(str(m.relative_to(ROOT)) for m in modules), "--sip-dut", str(profile),
               "--sip-results", str(out), *(["--sip-transport", transport] if transport else []),
               "-o", f"sip_reports={tmp_path / ('reports-' + label)}", "-p", "no:allure_pytest",
               "-p", "no:cacheprovider", "-q", "-rA", "--no-header"]
    env = inner_run_env()
    try:
        proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
                              check=False)
        output = proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        output = f"TIMEOUT after {RUN_TIMEOUT_S} s: {exc}"
    finally:
        device.stop()
    results = json.loads(out.read_text(encoding="utf-8"))["results"] if out.is_file() else []
    diagnostics = "\n".join([f"command: {' '.join(command)}", "output (tail):", *output.splitlines()[-30:],
                             "device errors:", *device.errors,
                             "device trace (tail):", *device.trace().splitlines()[-40:]])
    return results, diagnostics


def _table(results: list[dict[str, Any]]) -> str:
    return "\n".join(f"  {r['verdict']:<13} {r['nodeid']}  {(r.get('message') or '').splitlines()[:1]}"
                     for r in results)


@pytest.mark.parametrize("stateless", [False, True], ids=["stateful", "stateless"])
def test_conformant_proxy_passes_every_module(tmp_path: Path, stateless: bool) -> None:
    """The conformant proxy (stateful or stateless) over UDP and TCP: every test passes (or is inconclusive
    where the conformant device cannot reach the clause's state, as listed)."""
    modules = sorted(m for c, m in (STATELESS if stateless else STATEFUL).items() if c not in TIMER_C_CLAUSES)
    results, diagnostics = _run(tmp_path, None, modules, None, stateless=stateless)
    assert results, f"no results\n{diagnostics}"
    reliable_only = {c for c, m in STATEFUL.items() if not runs_over(m, "udp")}  # not-applicable on UDP
    wrong = [r for r in results if r["verdict"] != (PASS if stateless else CONFORMANT_EXCEPT.get(r["clause"], PASS))
             and not (r["verdict"] == "not-applicable" and r["transport"] == "udp" and r["clause"] in reliable_only)]
    assert not wrong, f"the conformant proxy did not pass:\n{_table(wrong)}\n\n{diagnostics}"
    assert len({r["clause"] for r in results}) == len(modules), "a module produced no verdict"


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_fault_is_caught_by_its_clause(tmp_path: Path, mutant: Mutant) -> None:
    """The faulty proxy makes its clause's module give the expected verdict (with a message that names the
    problem) to the tests in ``only``, and lets the module's other tests pass, and the ``clean`` clauses neither
    fail nor warn."""
    modules = STATELESS if mutant.stateless else STATEFUL
    assert mutant.clause in modules, f"no module for {mutant.clause}"
    known = _device_module().STATELESS_FAULTS if mutant.stateless else _device_module().FAULTS
    assert mutant.fault is None or mutant.fault in known, f"the device has no fault {mutant.fault!r}"
    assert all(c in modules for c in mutant.clean), f"no module for {set(mutant.clean) - set(modules)}"
    for transport in mutant.transports:
        run = [modules[c] for c in (mutant.clause, *mutant.clean)]
        everything, diagnostics = _run(tmp_path, mutant.fault, run, transport,
                                       stateless=mutant.stateless, auth=mutant.auth, timer_c=mutant.timer_c)
        results = [r for r in everything if r["clause"] == mutant.clause]
        assert results, f"{transport}: no results\n{diagnostics}"
        blamed = [r for r in everything if r["clause"] in mutant.clean and r["verdict"] not in CLEAN]
        assert not blamed, (f"{transport}: the fault is {mutant.clause}'s, yet other clauses blame it:\n"
                            f"{_table(blamed)}\n\n{diagnostics}")
        wrong = [r for r in results if r["verdict"] != mutant.expected(r)
                 or (r["verdict"] == mutant.verdict != PASS and mutant.says not in (r.get("message") or ""))]
        assert not wrong, (f"{transport}: expected {mutant.verdict} (saying {mutant.says!r}) for "
                           f"{mutant.only or 'all'}, pass elsewhere; got:\n{_table(wrong)}\n\nall:\n{_table(results)}"
                           f"\n\n{diagnostics}")
        assert any(r["verdict"] == mutant.verdict for r in results), (
            f"{transport}: no {mutant.verdict}\n{_table(results)}")


def test_every_module_has_a_mutant() -> None:
    """Each proxy conformance module is shown to fail (or warn) against at least one fault."""
    caught = {(m.stateless, m.clause) for m in MUTANTS if m.verdict in (FAIL, WARN)}
    missing = [c for c in STATEFUL if (False, c) not in caught] + [c for c in STATELESS if (True, c) not in caught]
    assert not missing, f"modules no fault is shown to break: {missing}"
