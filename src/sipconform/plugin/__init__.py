"""The sipconform pytest plugin (entry point ``sipconform.plugin``): all the pytest wiring, in this package.

Options and ini keys and their resolution into ``Settings`` (``options``, ``settings``: each DUT resolved
once), markers (``markers``, declared once; ``requires``), the reference-DUT pool (``duts``), peers and wire
traces (``peers``), the DNS and upper-tester fixtures (``dns``, ``upper``), verdicts and results.json
(``verdicts``), reports and Allure (``reports``, ``allure_marks``: the renderers in ``sipconform.report``
sit below). Configuration lives in ``config.stash``, state in fixtures.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from typing import Any

import pytest

from sipconform.dut.profile import DutProfile
from sipconform.plugin import loss, parallel, reports, runs, slow
from sipconform.plugin.abort import NOT_FINISHED, RunEnd, not_run
from sipconform.plugin.dns import sip_dns  # noqa: F401  (the sip_dns fixture, registered here)
from sipconform.plugin.duts import TARGET_PARAM, DutPool, DutUnavailable, probe_external, target_of
from sipconform.plugin.evidence import SuiteLimits
from sipconform.plugin.liveness import Liveness
from sipconform.plugin.markers import MARKERS, ItemMeta, meta_of, problems_of
from sipconform.plugin.options import SETTINGS_KEY, add_options, settings_from_config
from sipconform.plugin.progress import announcer
from sipconform.plugin.peers import PEERS_KEY, PeerFactory, bad_input, id_prefix, render_trace
from sipconform.plugin.reports import REPORTS_KEY
from sipconform.plugin.requires import check_requires
from sipconform.plugin.settings import DutTarget, Settings, describe
from sipconform.plugin.upper import upper_tester  # noqa: F401  (the upper_tester fixture, registered here)
from sipconform.plugin.verdicts import (
    apply_phase,
    finalize,
    result_of,
    results_document,
    summary_lines,
    teststatus,
    write_results,
)
from sipconform.sip.timers import Timers
from sipconform.verdict import Outcome

COLLECTOR_NAME = "sipconform-verdicts"
POOL_KEY = pytest.StashKey[DutPool]()
META_KEY = pytest.StashKey[ItemMeta]()
ADDRESS_KEY = pytest.StashKey[str]()
RULED_OUT_KEY = pytest.StashKey[Outcome]()
DURATION_KEY = pytest.StashKey[float]()
WAITED_KEY = pytest.StashKey[float]()
TRACE_SECTION = "SIP wire trace"


# ---- configuration ------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    add_options(parser)
    if not pluginmanager.is_registered(reports):  # reports directory, evidence, matrix, baseline, -m markers
        pluginmanager.register(reports, "sipconform-reports")
    if not pluginmanager.is_registered(loss):  # --sip-loss: an emulated lossy network
        pluginmanager.register(loss, "sipconform-loss")
    if not pluginmanager.is_registered(runs):  # one folder per run, handed to the xdist workers
        pluginmanager.register(runs, "sipconform-runs")
    if not pluginmanager.is_registered(slow):  # the slow tests are opt-in
        pluginmanager.register(slow, "sipconform-slow")
    if not pluginmanager.is_registered(parallel):  # a conformance run uses every core by default
        pluginmanager.register(parallel, "sipconform-parallel")


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    if config.option.help:
        return
    config.stash[SETTINGS_KEY] = settings_from_config(config)
    config.pluginmanager.register(_VerdictCollector(config), COLLECTOR_NAME)
    RunEnd.install(config)  # SIGTERM and a DUT that stopped answering: results marked aborted
    Liveness.install(config)  # a silent test against a DUT that does not answer a probe is an error
    SuiteLimits.install(config)  # input over the suite's own size limit: error, not the DUT's fault


def pytest_unconfigure(config: pytest.Config) -> None:
    collector = config.pluginmanager.get_plugin(COLLECTOR_NAME)
    if collector is not None:
        config.pluginmanager.unregister(collector)
    pool = config.stash.get(POOL_KEY, None)
    if pool is not None:
        pool.close()


def _settings(config: pytest.Config) -> Settings:
    return config.stash[SETTINGS_KEY]


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _explicit(config: pytest.Config) -> bool:
    """Whether this run writes results.json even with no verdict (a DUT or a results path was given)."""
    return config.getoption("sip_dut") is not None or config.getoption("sip_results") is not None


def pytest_report_header(config: pytest.Config) -> list[str]:
    settings = _settings(config)
    lines = [f"sip DUT {describe(d)}" for d in settings.duts] or ["sip DUT: none selected"]
    lines += [f"sip note: {note}" for note in settings.notes]
    lines.append(f"sip: strict {'on' if settings.strict else 'off'}, results {settings.results_path}")
    return lines


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Probe external DUTs once, before any test (the controller does it under xdist)."""
    config = session.config
    settings = _settings(config)
    if _is_worker(config) or config.option.collectonly or config.option.sip_list_clauses:
        return
    if _explicit(config) or config.stash[REPORTS_KEY].enabled:  # no older run's results left (plugin.abort)
        write_results(settings.results_path, results_document(settings, [], aborted=NOT_FINISHED))
        RunEnd.install(config).placeholder = True
    if not settings.probe:
        return
    problem = probe_external(settings)
    if problem is not None:
        write_results(settings.results_path, results_document(settings, [], aborted=problem))
        _mark_latest(config)
        pytest.exit(f"sipconform: {problem}", returncode=pytest.ExitCode.INTERRUPTED)


def _mark_latest(config: pytest.Config) -> None:
    """``reports/latest`` -> this run's folder, once its results.json is written (default folders only)."""
    folder = runs.current(config)
    if folder is not None and _settings(config).results_path.parent == folder:
        runs.mark_latest(folder)


# ---- collection -------------------------------------------------------------------------------
def _meta(item: pytest.Item) -> ItemMeta:
    if META_KEY not in item.stash:
        item.stash[META_KEY] = meta_of(item)
    return item.stash[META_KEY]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise a test that uses ``dut`` over the resolved targets: the selected DUTs whose role the test
    applies to, × their transports (``sip_target``, read by ``dut`` and ``sip_transport``)."""
    if TARGET_PARAM not in metafunc.fixturenames:
        return
    meta = meta_of(metafunc.definition)
    targets = _settings(metafunc.config).targets(meta.roles, meta.transports)
    if targets:
        metafunc.parametrize(TARGET_PARAM, targets, indirect=True, ids=[t.id for t in targets])


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, pytest.CollectReport,
                                                                        pytest.CollectReport]:
    """Marker mistakes (no/two clause markers, unknown clause ID, bad role) are collection errors."""
    report = yield
    if report.passed:
        problems: dict[str, list[str]] = {}
        for node in report.result:
            if isinstance(node, pytest.Item):
                for problem in problems_of(node):
                    problems.setdefault(node.nodeid.split("[")[0], []).append(problem)
        if problems:
            text = [f"{nodeid}: {p}" for nodeid, ps in problems.items() for p in dict.fromkeys(ps)]
            report.outcome = "failed"
            report.longrepr = "\n".join(text)
            report.result = []
    return report


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the tests no selected DUT can run (wrong role or transport): not run, not skipped. Judge the
    ``requires`` markers of the others against their target's profile (the outcome ends them at setup)."""
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        target = target_of(item)
        unmatched = TARGET_PARAM in getattr(item, "fixturenames", ()) and target is None
        (drop if unmatched else keep).append(item)
        if target is not None and (outcome := check_requires(item.iter_markers("requires"), target)) is not None:
            item.stash[RULED_OUT_KEY] = outcome
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test its ``requires`` rules out ends here, before its fixtures start a DUT."""
    outcome = item.stash.get(RULED_OUT_KEY, None)
    if outcome is not None:
        raise outcome


# ---- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def sip_settings(pytestconfig: pytest.Config) -> Settings:
    """The run's resolved SIP settings (command line > ini > DUT profile > default): the selected DUTs, each
    final (role, transports, timers after ``--sip-t1``), transport choice, strict mode, results path."""
    return _settings(pytestconfig)


@pytest.fixture(scope="session")
def sip_dut_pool(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DutPool]:
    """This process's DUTs: reference DUTs started on first use (once per xdist worker, never retried
    after a failed start) and stopped at session end; external DUTs as their profile."""
    pool = DutPool(lambda name: tmp_path_factory.mktemp(f"dut-{name}"))
    pytestconfig.stash[POOL_KEY] = pool
    yield pool
    reports = pytestconfig.stash.get(REPORTS_KEY, None)  # each DUT's own log next to the verdicts (dut/logscan.py)
    pool.close(keep_logs_in=reports.directory if reports is not None and reports.enabled else None,
               worker=getattr(pytestconfig, "workerinput", {}).get("workerid", "main"))


@pytest.fixture
def sip_target(request: pytest.FixtureRequest) -> DutTarget:
    """The (DUT, transport) of this test instance, as resolved at collection (``pytest_generate_tests``)."""
    target = getattr(request, "param", None)
    if not isinstance(target, DutTarget):
        pytest.fail("the dut fixture was not parametrised by sipconform (no DUT selected?)", pytrace=False)
    return target


@pytest.fixture
def dut(request: pytest.FixtureRequest, sip_target: DutTarget, sip_dut_pool: DutPool) -> DutProfile:
    """The DUT under test (``DutProfile``), resolved once (timers after ``--sip-t1``), at its real address.
    Parametrised over the selected DUTs whose role matches the test × their transports; ids like
    ``kamailio-uas-udp``. A reference DUT that cannot start makes the test an ``error``."""
    try:
        profile = sip_dut_pool.running(sip_target.dut)
    except DutUnavailable as exc:
        problem = str(exc)
    else:
        problem = ""
    if problem:  # outside the except block: one message, no chained traceback
        pytest.fail(problem, pytrace=False)
    profile = profile.on(sip_target.transport, sip_target.family)  # this instance's address and port
    request.node.stash[ADDRESS_KEY] = f"{profile.host}:{profile.port}"
    return profile


@pytest.fixture
def sip_transport(sip_target: DutTarget) -> str:
    """The transport (udp, tcp, tls, ws or wss) of this test instance (part of the ``dut`` parametrisation)."""
    return sip_target.transport


@pytest.fixture
def sip_timers(dut: DutProfile) -> Timers:
    """The DUT's timers (T1, T2, T4 and Timers A-K derived from them) after ``--sip-t1``."""
    return dut.timers


@pytest.fixture
def sip_peer_factory(request: pytest.FixtureRequest, dut: DutProfile, sip_transport: str,
                     sip_timers: Timers) -> Iterator[PeerFactory]:
    """Make more peers: ``with sip_peer_factory(transport=None, name="downstream") as peer:``.
    For multi-peer (proxy) tests and Hypothesis tests (one fresh peer per example). Peers bind
    port 0, share the test's Reactor, aim at the DUT, and all appear in the wire trace."""
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    peers = request.node.stash.setdefault(PEERS_KEY, [])
    factory = PeerFactory(dut=dut, transport=sip_transport, timers=sip_timers,
                          prefix=id_prefix(worker, request.node.nodeid), peers=peers,
                          keylog=_settings(request.config).tls_keylog)
    reactor = factory.reactor
    reactor.on_long_wait = announcer(request.config, request.node.nodeid)
    yield factory
    request.node.stash[WAITED_KEY] = reactor.waited  # the protocol floor of this test (results.json "waited")
    factory.close()


@pytest.fixture
def sip_peer(sip_peer_factory: PeerFactory) -> Iterator[Any]:
    """A ``SipPeer`` on this test's transport with the DUT's timers, ``remote`` set to the DUT's
    address, bound to an ephemeral port; its wire log becomes the report's "SIP wire trace" section;
    closed at teardown."""
    with sip_peer_factory() as peer:
        yield peer


@pytest.fixture
def reference_dut_log(dut: DutProfile, sip_dut_pool: DutPool) -> Callable[[], str]:
    """``reference_dut_log()`` -> the log of the reference DUT under test so far ("" for an external DUT)."""
    return lambda: sip_dut_pool.log_text(dut.name)


# ---- reports ----------------------------------------------------------------------------------
def _attach_trace(item: pytest.Item, report: pytest.TestReport) -> None:
    """The merged wire trace as a report section of the call (and of a setup/teardown that did not
    pass), and once as an Allure attachment while the test is still open in Allure."""
    if report.when != "call" and report.passed:
        return
    text = render_trace(item.stash.get(PEERS_KEY, []))
    if text is None:
        return
    report.sections.append((TRACE_SECTION, text))
    if report.when != "teardown" and item.config.pluginmanager.hasplugin("allure_listener"):
        import allure

        allure.attach(text, name=TRACE_SECTION, attachment_type=allure.attachment_type.TEXT)


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Verdict per phase (outcome rewritten before other plugins read it), wire trace, JUnit properties."""
    report = yield
    meta = _meta(item)
    apply_phase(item, call, report, meta, _settings(item.config).strict)
    _attach_trace(item, report)
    item.stash[DURATION_KEY] = item.stash.get(DURATION_KEY, 0.0) + report.duration
    if report.when == "teardown":
        finalize(item, report, meta, target_of(item), item.stash.get(ADDRESS_KEY, None),
                 bad_input(item.stash.get(PEERS_KEY, [])))
        if meta.conformance:  # seconds: the whole test, and the windows it waited through (its floor)
            duration: float = item.stash[DURATION_KEY]
            waited: float = item.stash.get(WAITED_KEY, 0.0)
            report.user_properties += [("duration", round(duration, 4)), ("waited", round(waited, 4))]
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report: pytest.TestReport | pytest.CollectReport,
                             config: pytest.Config) -> tuple[str, str, Any] | None:
    return teststatus(report)


class _VerdictCollector:
    """Collects the verdicts of one run (registered per config): from the workers' reports too,
    since under xdist they arrive at the controller; the controller alone writes results.json."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.results: list[dict[str, Any]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "teardown" and (result := result_of(report)) is not None:
            self.results.append(result)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.results or _is_worker(self.config):
            return
        head, lines = summary_lines(self.results)
        terminalreporter.write_sep("=", "SIP conformance verdicts")
        terminalreporter.write_line(head)
        for line in lines:
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"results: {_settings(self.config).results_path}")

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        config = self.config
        if _is_worker(config) or SETTINGS_KEY not in config.stash:
            return
        run_end = RunEnd.install(config)
        aborted = run_end.reason(session)
        if (self.results or _explicit(config) or run_end.placeholder) and not config.option.collectonly:
            document = results_document(_settings(config), self.results, aborted=aborted)
            if aborted and (left := not_run(session, self.results)):
                document["not_run"] = left  # never as passed
            write_results(_settings(config).results_path, document)
            _mark_latest(config)
