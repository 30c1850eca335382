"""Report wiring (a pytest plugin module the sipconform plugin registers): what a conformance run
leaves in the reports directory (``--sip-reports``, default ``reports/``).

- ``junit.xml`` and ``allure-results/`` by default when the run is a conformance run (``--sip-dut``
  given or a path under ``conformance/`` selected) and ``--junitxml``/``--alluredir`` are not given;
- per test: ``evidence/<test>.svg`` (ladder), ``evidence/<test>.txt`` (wire trace), ``pcap/<test>.pcap``,
  named in results.json (``evidence``) and the JUnit properties; the ladder also goes to Allure;
- Allure labels from the catalogue, ``environment.properties`` from the DUT profiles;
- ``matrix.html`` at session end, ``--sip-baseline`` diff (``baseline-diff.json``, exit 1 on a regression);
- markers ``must``/``should``/``may``/``info``, ``uas``/``uac``/``proxy``/``stateless-proxy``,
  ``udp``/``tcp`` added at collection for ``-m``; ``--sip-list-clauses`` prints clause -> tests.
Under xdist the workers write per-test files, the controller the rest.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sipconform.dut import logscan
from sipconform.plugin.duts import target_of
from sipconform.plugin.markers import meta_of
from sipconform.plugin.options import SETTINGS_KEY, reports_dir
from sipconform.plugin.peers import PEERS_KEY, render_trace

__all__ = ["REPORTS_KEY", "Reports", "is_conformance_run", "safe_name", "selects_conformance"]


@dataclass
class Reports:
    """Where this run's reports go, whether it is a conformance run, and what the end of run found."""

    directory: Path
    enabled: bool
    summary: list[str] = field(default_factory=list)


REPORTS_KEY = pytest.StashKey[Reports]()


def safe_name(nodeid: str) -> str:
    """A file name for a test: ``uas.test_x.test_y_kamailio-uas-udp-long-names`` (hashed if long)."""
    s = nodeid.removeprefix("conformance/").replace(".py::", ".").replace("::", ".").replace("/", ".")
    s = re.sub(r"[^A-Za-z0-9._-]+", "_", s).strip("_.")
    if len(s) > 150:
        s = s[:140] + "-" + hashlib.sha1(nodeid.encode(), usedforsecurity=False).hexdigest()[:9]
    return s


def is_conformance_run(config: pytest.Config) -> bool:
    """``--sip-dut`` or ``--sip-reports`` given, or a path under ``conformance/`` selected."""
    if config.getoption("sip_dut", None) is not None or config.getoption("sip_reports", None) is not None:
        return True
    return selects_conformance(config)


def selects_conformance(config: pytest.Config) -> bool:
    """A path under ``conformance/`` is selected (``pytest conformance``, ``pytest conformance/uas/...``)."""
    root = Path(config.rootpath)
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::")[0]).resolve()
        rel = path.relative_to(root).parts if path.is_relative_to(root) else ()
        if "conformance" in rel:
            return True
    return False


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _allure_on(config: pytest.Config) -> bool:
    return config.pluginmanager.hasplugin("allure_listener")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Default ``--junitxml``/``--alluredir`` into the reports directory (before junitxml and allure-pytest
    read them)."""
    if config.option.help:
        return
    reports = Reports(reports_dir(config), is_conformance_run(config))
    config.stash[REPORTS_KEY] = reports
    baseline = config.getoption("sip_baseline", None)
    if baseline and not Path(baseline).is_file():
        raise pytest.UsageError(f"sipconform: --sip-baseline {baseline}: no such results file")
    if baseline and not _is_worker(config):
        from sipconform.report.baseline import comparable, load

        try:
            comparable(load(Path(baseline)), Path(baseline))
        except ValueError as exc:  # an aborted or empty baseline must not read as "0 regressions"
            raise pytest.UsageError(f"sipconform: --sip-baseline {baseline}: {exc}") from None
    if _is_worker(config) and hasattr(config.option, "clean_alluredir"):
        config.option.clean_alluredir = False  # the controller cleaned it; workers must not race
    if not reports.enabled or config.option.collectonly or config.getoption("sip_list_clauses", False):
        return
    if config.option.verbose <= 0 and getattr(config.option, "tbstyle", "auto") == "auto":
        config.option.tbstyle = "no"  # the verdict summary gives each reason, junit.xml each trace; -v: tracebacks
    if not _is_worker(config):
        logscan.clear_folder(reports.directory)  # reference DUT logs of an earlier run
    # xdist workers parse the command line again: they make the same choice (junitxml skips workers)
    if not getattr(config.option, "xmlpath", None):
        config.option.xmlpath = str(reports.directory / "junit.xml")
    if hasattr(config.option, "allure_report_dir") and not config.option.allure_report_dir:
        config.option.allure_report_dir = str(reports.directory / "allure-results")
        config.option.clean_alluredir = not _is_worker(config)  # like results.json: this run's results only


# ---- collection: markers for -m, Allure labels, the clause listing -----------------------------------
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    allure_ok = config.pluginmanager.hasplugin("allure_pytest")
    for item in items:
        meta = meta_of(item)
        if not meta.conformance or not meta.clause:
            continue
        target = target_of(item)
        role = target.dut.role if target is not None else None
        roles = (role,) if role else (meta.roles or ())
        names = [meta.level.lower(), *roles, *((target.transport,) if target else meta.transports or ())]
        for name in dict.fromkeys(names):
            item.add_marker(name)
        if allure_ok:
            from sipconform.plugin.allure_marks import markers_for

            for mark in markers_for(meta.clause, meta.level, role=role, transport=target.transport if target else None,
                                    dut=target.dut.name if target else None):
                item.add_marker(mark)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """``--sip-list-clauses``: print clause -> tests, then run nothing (as ``--collect-only``)."""
    config = session.config
    if not config.getoption("sip_list_clauses", False):
        return
    from sipconform.clauses import CATALOGUE
    from sipconform.report.baseline import clause_order

    by_clause: dict[str, list[str]] = {}
    for item in session.items:
        meta = meta_of(item)
        if meta.clause:
            by_clause.setdefault(meta.clause, []).append(item.nodeid)
    tr = config.pluginmanager.get_plugin("terminalreporter")
    write = tr.write_line if tr is not None else print
    for cid in sorted(by_clause, key=clause_order):
        clause = CATALOGUE.get(cid)
        head = f"{cid} {clause.level} §{clause.section} ({','.join(clause.roles)})" if clause else cid
        write(f"{head}: {len(by_clause[cid])} test(s)")
        for nodeid in by_clause[cid]:
            write(f"    {nodeid}")
    write(f"{len(by_clause)} clause(s), {sum(map(len, by_clause.values()))} test(s)")
    config.option.collectonly = True


# ---- per test: evidence files, Allure attachments ------------------------------------------------------
def _records(item: pytest.Item) -> list[Any] | None:
    peers = item.stash.get(PEERS_KEY, [])
    if not peers:
        return None
    from sipconform.peer.wirelog import merge

    return merge(*(p.wire for p in peers))


def _ladder(item: pytest.Item, records: list[Any], props: dict[str, Any], verdict: str | None) -> str:
    from sipconform.report.ladder import ladder_svg

    address = str(props.get("dut_address") or "")
    host, _, port = address.rpartition(":")
    dut = (host.strip("[]"), int(port)) if port.isdigit() else None
    sub = " · ".join(x for x in (str(props.get("clause") or ""), str(props.get("level") or ""),
                                 f"verdict: {verdict}" if verdict else "") if x)
    return ladder_svg(records, dut=dut, dut_name=str(props.get("dut") or "DUT"), title=item.nodeid, subtitle=sub)


def _write_evidence(item: pytest.Item, report: pytest.TestReport, reports: Reports) -> str | None:
    """Ladder, trace and pcap of the finished test (their paths into its properties); the ladder's SVG."""
    records = _records(item)
    props = dict(report.user_properties)
    if records is None or "verdict" not in props:
        return None
    from sipconform.report.pcap import write_pcap

    name = safe_name(item.nodeid)
    evidence = reports.directory / "evidence"
    evidence.mkdir(parents=True, exist_ok=True)
    files = {"ladder": evidence / f"{name}.svg", "trace": evidence / f"{name}.txt",
             "pcap": reports.directory / "pcap" / f"{name}.pcap"}
    svg = _ladder(item, records, props, str(props["verdict"]))
    files["ladder"].write_text(svg, encoding="utf-8")
    files["trace"].write_text((render_trace(item.stash.get(PEERS_KEY, [])) or "") + "\n", encoding="utf-8")
    write_pcap(files["pcap"], records)
    base = item.config.stash[SETTINGS_KEY].results_path.parent
    for kind, path in files.items():
        report.user_properties.append((f"evidence_{kind}", Path(os.path.relpath(path, base)).as_posix()))
    return svg


def _allure_attach(item: pytest.Item, report: pytest.TestReport) -> None:
    from sipconform.plugin.allure_marks import allure

    verdict = getattr(report, "sip_verdict", None) or ("pass" if report.passed and report.when == "call" else None)
    if verdict:
        allure.dynamic.tag(f"verdict:{verdict}")
    if report.when == "call" and (clause := meta_of(item).clause):
        from sipconform.plugin.allure_marks import describe_clause

        describe_clause(clause)


def _allure_ladder(item: pytest.Item, report: pytest.TestReport, svg: str | None) -> None:
    """The ladder into Allure, rendered once with the final verdict (the evidence file's, when written)."""
    from sipconform.plugin.allure_marks import attach_ladder

    if svg is None and (records := _records(item)) is not None:
        props = dict(report.user_properties)
        svg = _ladder(item, records, props, str(props.get("verdict") or "") or None)
    if svg is not None:
        attach_ladder(svg)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    reports = item.config.stash.get(REPORTS_KEY, None)
    if reports is None or not meta_of(item).conformance:
        return report
    try:
        allure_on = _allure_on(item.config)
        if allure_on and (report.when == "call" or (report.when == "setup" and not report.passed)):
            _allure_attach(item, report)
        if report.when == "teardown":
            svg = _write_evidence(item, report, reports) if reports.enabled else None
            if allure_on:
                _allure_ladder(item, report, svg)
    except Exception as exc:  # noqa: BLE001 - evidence is a by-product: never let it change the verdict
        report.sections.append(("sipconform reports", f"could not write the evidence: {type(exc).__name__}: {exc}"))
    return report


# ---- end of session (controller): matrix, environment.properties, baseline ---------------------------
def _rewrite_junit(config: pytest.Config, doc: dict[str, Any], base: Path) -> None:
    """The six verdicts into junit.xml (written by pytest's junitxml just before this hook)."""
    xmlpath = getattr(config.option, "xmlpath", None)
    if not xmlpath or not Path(xmlpath).is_file():
        return
    from sipconform.report.junit import rewrite

    rewrite(Path(xmlpath), doc.get("results", []), base=base, family=str(config.getini("junit_family")),
            prefix=getattr(config.option, "junitprefix", None))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    reports = config.stash.get(REPORTS_KEY, None)
    collector = config.pluginmanager.get_plugin("sipconform-verdicts")
    if reports is None or _is_worker(config) or not getattr(collector, "results", None):
        return
    settings = config.stash[SETTINGS_KEY]
    results_path = settings.results_path
    if not results_path.is_file():
        return
    from sipconform.report import baseline
    from sipconform.report.matrix import write_matrix

    doc = baseline.load(results_path)
    _rewrite_junit(config, doc, results_path.parent)
    if reports.enabled:
        matrix = write_matrix([results_path], reports.directory / "matrix.html",
                              title="SIP conformance matrix: " + ", ".join(d.name for d in settings.duts))
        reports.summary.append(f"matrix: {matrix}")
        logs, found = logscan.scan_folder(reports.directory)  # configuration warnings in the DUTs' own logs
        reports.summary += logscan.summary_lines(logs, found, reports.directory / logscan.LOG_FOLDER)
    alluredir = getattr(config.option, "allure_report_dir", None)
    if alluredir and _allure_on(config):
        import sipconform
        from sipconform.report.allure import environment_lines, write_environment

        extra = {"sipconform": getattr(sipconform, "__version__", "0.1.0"), "python": platform.python_version(),
                 "pytest": pytest.__version__, "strict": str(settings.strict).lower(), "transport": settings.transport}
        lines = environment_lines(doc.get("duts", []), {d.name: d for d in settings.duts}, extra)
        write_environment(Path(alluredir), lines)
        reports.summary.append(f"allure: {alluredir} (allure serve {alluredir})")
    old = config.getoption("sip_baseline", None)
    if old:
        try:
            diff = baseline.compare(baseline.comparable(baseline.load(Path(old)), Path(old)),
                                    baseline.comparable(doc, results_path))
        except ValueError as exc:  # this run was aborted or empty: no diff, and not a green run
            reports.summary.append(f"baseline: {exc}")
            if session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED
            return
        out = baseline.write_diff(reports.directory / "baseline-diff.json", diff)
        reports.summary += [*baseline.render(diff), f"baseline diff: {out}"]
        if diff.regressed and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    reports = config.stash.get(REPORTS_KEY, None)
    if reports is None or not reports.summary or _is_worker(config):
        return
    terminalreporter.write_sep("-", "SIP conformance reports")
    for line in reports.summary:
        terminalreporter.write_line(line)
