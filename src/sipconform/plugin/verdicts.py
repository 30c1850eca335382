"""From pytest reports to verdicts and back: outcome mapping, status words, results.json.

Each phase report of a conformance test gets a ``sip_verdict`` attribute (it survives xdist's
report serialisation); the final verdict of the test goes into ``user_properties`` (JUnit
properties) of its teardown report, from which the controller builds results.json.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from sipconform.clauses import trace_properties
from sipconform.dut.profile import DutProfile
from sipconform.plugin.markers import ItemMeta
from sipconform.plugin.settings import DutTarget, Settings
from sipconform.plugin.transient import as_transient
from sipconform.plugin.wording import in_dut_terms
from sipconform.verdict import Outcome, Verdict, classify, describe, worst

__all__ = ["PHASES_KEY", "apply_phase", "finalize", "result_of", "results_document", "summary_lines",
           "teststatus", "write_results"]

PHASES_KEY = pytest.StashKey[list[tuple[Verdict, str]]]()

_STATUS: Mapping[str, tuple[str, str, tuple[str, dict[str, bool]]]] = {
    # verdict -> (category, letter, (word, markup)); pass keeps pytest's own
    "fail": ("failed", "F", ("FAIL", {"red": True})),
    "warn": ("warn", "W", ("WARN", {"yellow": True})),
    "inconclusive": ("inconclusive", "I", ("INCONCLUSIVE", {"yellow": True})),
    "not-applicable": ("not-applicable", "N", ("NOT-APPLICABLE", {"cyan": True})),
    "error": ("error", "E", ("ERROR", {"red": True})),
}
_OUTCOME_OF = {"fail": "failed", "warn": "passed", "inconclusive": "skipped", "not-applicable": "skipped",
               "error": "failed"}


def _phase_verdict(when: str, exc: BaseException, meta: ItemMeta, strict: bool) -> tuple[Verdict, str] | None:
    if isinstance(exc, pytest.skip.Exception):
        return Verdict.NOT_APPLICABLE, str(exc.msg or "skipped")
    if not meta.conformance:
        # plain tests keep pytest's semantics; only our typed outcomes are mapped
        return (classify(meta.level, exc, strict), describe(exc)) if isinstance(exc, Outcome) else None
    if when != "call" and not isinstance(exc, Outcome):
        return Verdict.ERROR, describe(exc) if not isinstance(exc, pytest.fail.Exception) else str(exc.msg)
    if isinstance(exc, pytest.fail.Exception):
        return Verdict.FAIL, str(exc.msg)
    verdict, message = classify(meta.level, exc, strict), describe(exc)
    if verdict is Verdict.FAIL and classify(meta.level, exc, False) is Verdict.WARN:
        message = f"{meta.level}-level, a fail under --sip-strict: {message}"
    return verdict, message


def apply_phase(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport, meta: ItemMeta,
                strict: bool) -> Verdict | None:
    """Give this phase's report its verdict and the pytest outcome that verdict maps to."""
    if any(True for _ in item.iter_markers("xfail")):
        return None  # xfail is pytest's business (and not to be used for DUT bugs: STYLE §12)
    if call.excinfo is None:
        if report.when == "call" and report.passed and meta.conformance:
            item.stash.setdefault(PHASES_KEY, []).append((Verdict.PASS, ""))
        return None
    found = _phase_verdict(report.when, as_transient(item, call.excinfo.value), meta, strict)
    if found is None:
        return None
    verdict, message = found
    message = in_dut_terms(message)
    new_outcome = _OUTCOME_OF.get(verdict.value, report.outcome)
    if report.when == "setup" and new_outcome == "passed":
        new_outcome = report.outcome  # a setup that raised must not let the call phase run
    if new_outcome != report.outcome:
        if new_outcome == "skipped" and not report.skipped:
            crash = getattr(report.longrepr, "reprcrash", None)
            where = (crash.path, crash.lineno) if crash is not None else (item.location[0], item.location[1] or 0)
            path, lineno = where
            report.longrepr = (str(path), lineno, f"{verdict.value}: {message}")
        elif new_outcome == "passed" and not report.passed:
            report.sections.append((f"SIP verdict: {verdict.value}", report.longreprtext))
            report.longrepr = None
        report.outcome = new_outcome  # type: ignore[assignment]
    report.sip_verdict = verdict.value  # type: ignore[attr-defined]
    report.sip_message = message  # type: ignore[attr-defined]
    if meta.conformance:
        item.stash.setdefault(PHASES_KEY, []).append((verdict, message))
    return verdict


def finalize(item: pytest.Item, report: pytest.TestReport, meta: ItemMeta, target: DutTarget | None,
             address: str | None, bad_input: str = "") -> None:
    """At teardown: the test's verdict (worst of its phases) into the JUnit properties; its message ends
    with ``bad_input``, what the DUT sent that is malformed, whatever the verdict (a pass too)."""
    if not meta.conformance:
        return
    phases = item.stash.get(PHASES_KEY, [])
    if not phases:  # nothing ran and nothing said why (e.g. interrupted): never a pass
        phases = [(Verdict.ERROR, "the test produced no verdict")]
    final = worst(*(v for v, _ in phases))
    message = next(m for v, m in phases if v is final)
    message = f"{message} {bad_input}".strip() if bad_input not in message else message
    props: list[tuple[str, object]] = [("clause", meta.clause), ("level", meta.level)]
    if meta.roles:
        props.append(("role", ",".join(meta.roles)))
    props += trace_properties(meta.clause) if meta.clause else []
    if target is not None:
        props += [("dut", target.dut.name), ("transport", target.transport)]
    if address:
        props.append(("dut_address", address))
    props += [("verdict", final.value), ("verdict_message", message)]
    item.user_properties.extend(props)
    report.user_properties.extend(props)


def teststatus(report: pytest.TestReport | pytest.CollectReport) -> tuple[str, str, Any] | None:
    """Category, letter and word of a report carrying a verdict (None: pytest's own)."""
    verdict = str(getattr(report, "sip_verdict", ""))
    if verdict not in _STATUS or report.outcome != _OUTCOME_OF[verdict]:
        return None
    if verdict == "error" and report.when != "call":
        return None  # setup/teardown errors already read "ERROR"
    return _STATUS[verdict]


def result_of(report: pytest.TestReport) -> dict[str, Any] | None:
    """The results.json entry of a teardown report (None when it carries no verdict)."""
    props = dict(report.user_properties)
    if "verdict" not in props:
        return None
    return {"nodeid": report.nodeid, "clause": props.get("clause"), "level": props.get("level"),
            "transport": props.get("transport"), "verdict": props["verdict"],
            "message": props.get("verdict_message", ""), "dut": props.get("dut"),
            "dut_address": props.get("dut_address"),
            **{k: props[k] for k in ("duration", "waited") if k in props},
            **({"evidence": evidence} if (evidence := {k[9:]: v for k, v in props.items()
                                                       if k.startswith("evidence_")}) else {})}


def _dut_entry(p: DutProfile, results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    host, port = (p.host, p.port) if p.reference is None else (None, None)  # reference: known once started
    seen: str | None = next((r["dut_address"] for r in results if r.get("dut") == p.name and r.get("dut_address")),
                            None)
    if seen:
        host, _, port_s = seen.rpartition(":")
        port = int(port_s)
    return {"name": p.name, "role": p.role, "host": host, "port": port}


def results_document(settings: Settings, results: Sequence[Mapping[str, Any]], aborted: str | None = None
                     ) -> dict[str, Any]:
    """The results.json document (DESIGN.md contract, plus ``duts``, ``strict``, ``summary``)."""
    duts = [_dut_entry(d, results) for d in settings.duts]
    if len(duts) == 1:
        dut: dict[str, Any] = duts[0]
    else:
        dut = {"name": ", ".join(d["name"] for d in duts), "role": ", ".join(sorted({d["role"] for d in duts})),
               "host": None, "port": None}
    counts = Counter(r["verdict"] for r in results)
    doc: dict[str, Any] = {
        "dut": dut, "duts": duts, "strict": settings.strict,
        "summary": {v.value: counts.get(v.value, 0) for v in Verdict},
        "results": [{k: v for k, v in r.items() if k != "dut_address"} for r in results],
    }
    if aborted:
        doc["aborted"] = aborted
    return doc


def write_results(path: Path, document: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)


def summary_lines(results: Iterable[Mapping[str, Any]]) -> tuple[str, list[str]]:
    """The counts line and one line per verdict that is not a plain pass (fail, error, warn, inconclusive,
    not-applicable, then a pass whose message says something: what the DUT sent malformed), each with its
    clause and the first line of its reason, worst first."""
    results = list(results)
    counts = Counter(r["verdict"] for r in results)
    head = ", ".join(f"{counts.get(v.value, 0)} {v.value}" for v in Verdict)
    listed = [r for r in results if r["verdict"] != "pass" or r["message"]]
    listed.sort(key=lambda r: _LISTING_ORDER.index(r["verdict"]) if r["verdict"] in _LISTING_ORDER else 0)
    lines = [f"{r['verdict'].upper()} {r['nodeid']} [{r['clause']} {r['level']}] - {_first_line(r['message'])}"
             .rstrip(" -") for r in listed]
    return head, lines


_LISTING_ORDER = ("fail", "error", "warn", "inconclusive", "not-applicable", "pass")


def _first_line(text: str | None) -> str:
    return text.splitlines()[0] if text else ""
