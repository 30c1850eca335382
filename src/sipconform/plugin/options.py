"""The plugin's command-line options and ini keys, and their resolution into ``Settings``."""

from __future__ import annotations

from pathlib import Path

import pytest

from sipconform.plugin.runs import run_folder
from sipconform.plugin.settings import (
    DEFAULT_DUT,
    TRANSPORT_CHOICES,
    Settings,
    SettingsError,
    Source,
    resolve,
)
from sipconform.vocabulary import ROLES

__all__ = ["SETTINGS_KEY", "add_options", "reports_dir", "run_slow", "settings_from_config", "tls_keylog"]

SETTINGS_KEY = pytest.StashKey[Settings]()


def add_options(parser: pytest.Parser) -> None:
    """All options in the "SIP conformance" group, each with a matching ini key."""
    group = parser.getgroup("sip", "SIP conformance")
    group.addoption(
        "--sip-dut", dest="sip_dut", metavar="DUT", default=None,
        help=f"device under test: a profile .toml, a reference DUT name, {DEFAULT_DUT!r} (all reference "
             f"DUTs; the default) or TRANSPORT:HOST:PORT (with --sip-role). Several: comma-separated.")
    group.addoption("--sip-role", dest="sip_role", choices=ROLES, default=None,
                    help="the DUT's role (needed with an address; overrides a profile; with reference DUTs: "
                         "only those of this role)")
    group.addoption("--sip-transport", dest="sip_transport", metavar="LIST", default=None,
                    help=f"transport(s) to test over: a comma list of {', '.join(TRANSPORT_CHOICES[:-1])}, or 'all' "
                         f"(default: every transport the DUT profile lists)")
    group.addoption("--sip-tls-keylog", dest="sip_tls_keylog", metavar="PATH", default=None,
                    help="where the TLS session keys of the run go, SSLKEYLOGFILE format, so that a capture of the "
                         "real traffic can be decrypted (default: sslkeylog.txt in the --sip-reports directory)")
    group.addoption("--sip-t1", dest="sip_t1", metavar="SECONDS", default=None,
                    help="the DUT's T1 in seconds, overriding the profile (a reference DUT is started with it); T2 "
                         "and T4 stay the profile's, unless T1 exceeds T2: then T2 is the RFC's 4 s")
    group.addoption("--sip-strict", dest="sip_strict", action="store_true", default=None,
                    help="count a warn verdict (a SHOULD broken) as a fail")
    group.addoption("--sip-results", dest="sip_results", metavar="PATH", default=None,
                    help="where to write the JSON verdicts (default results.json in the run's reports directory)")
    group.addoption("--sip-probe", dest="sip_probe", action="store_true", default=None,
                    help="check an external DUT answers OPTIONS before the first test (default)")
    group.addoption("--no-sip-probe", dest="sip_probe", action="store_false", default=None,
                    help="do not probe an external DUT before the run")
    group.addoption("--sip-reports", dest="sip_reports", metavar="DIR", default=None,
                    help="directory for the reports of a conformance run: results.json (unless --sip-results), "
                         "junit.xml, allure-results/, evidence/, pcap/, matrix.html, used as given (default: the "
                         "directory of --sip-results, else a new reports/<time>-<dut>/ per run, reports/latest "
                         "pointing at it)")
    group.addoption("--sip-baseline", dest="sip_baseline", metavar="PATH", default=None,
                    help="compare this run's verdicts with an earlier results.json; a regression (pass/warn/"
                         "inconclusive -> fail/error) makes the exit status non-zero")
    group.addoption("--sip-slow", dest="sip_slow", action="store_true", default=None,
                    help="also run the slow tests (long protocol timers: Timer C, a provisional every minute, "
                         "64*T1 waits); left out by default, or select them with -m slow")
    group.addoption("--sip-list-clauses", dest="sip_list_clauses", action="store_true", default=False,
                    help="list the selected tests by clause and exit without running them")
    parser.addini("sip_dut", "default for --sip-dut (paths relative to the ini file)", default=None)
    parser.addini("sip_role", "default for --sip-role", default=None)
    parser.addini("sip_transport", "default for --sip-transport (a comma list of udp, tcp, tls, ws, wss, or all)",
                  default=None)
    parser.addini("sip_t1", "default for --sip-t1 (seconds)", default=None)
    parser.addini("sip_strict", "default for --sip-strict (true/false)", type="bool", default=None)
    parser.addini("sip_results", "default for --sip-results (relative to the ini file)", default=None)
    parser.addini("sip_probe", "probe an external DUT before the run (true/false)", type="bool", default=None)
    parser.addini("sip_slow", "default for --sip-slow (true/false)", type="bool", default=None)
    parser.addini("sip_reports", "default for --sip-reports (relative to the ini file)", default=None)
    parser.addini("sip_tls_keylog", "default for --sip-tls-keylog (relative to the ini file)", default=None)


def _sources(config: pytest.Config, name: str) -> list[Source]:
    """The command-line value, then the ini value (relative paths taken from their own base)."""
    cli = config.getoption(name)
    ini = config.getini(name)
    ini_base = config.inipath.parent if config.inipath else config.rootpath
    out = [Source(None if cli is None else str(cli), "--" + name.replace("_", "-"), config.invocation_params.dir)]
    if isinstance(ini, bool):  # bool ini keys default to None: a bool was written in the ini file
        ini = str(ini).lower()
    out.append(Source(ini if ini not in ("", None) else None, f"ini {name}", ini_base))
    return out


def run_slow(config: pytest.Config) -> bool:
    """Whether the ``slow`` tests run: ``--sip-slow`` or ini ``sip_slow``, or a ``-m`` expression naming
    ``slow`` (the user chose them, or chose against them, explicitly)."""
    if "slow" in (config.getoption("markexpr", "") or ""):
        return True
    return bool(config.getoption("sip_slow") or config.getini("sip_slow"))


def reports_dir(config: pytest.Config) -> Path:
    """This run's reports directory: ``--sip-reports`` (from the invocation dir) or ini ``sip_reports`` (from the
    ini file's dir), else the directory of ``--sip-results``/``sip_results``, else a fresh
    ``reports/<time>-<dut>/`` under the rootdir (``runs.run_folder``)."""
    for src in _sources(config, "sip_reports"):
        if src.value:
            return src.base / src.value
    for src in _sources(config, "sip_results"):
        if src.value:
            return (src.base / src.value).parent
    return run_folder(config, config.rootpath / "reports")


def tls_keylog(config: pytest.Config) -> Path:
    """``--sip-tls-keylog`` (from the invocation dir) or ini ``sip_tls_keylog`` (from the ini file's dir), else
    ``sslkeylog.txt`` in the reports directory."""
    for src in _sources(config, "sip_tls_keylog"):
        if src.value:
            return src.base / src.value
    return reports_dir(config) / "sslkeylog.txt"


def settings_from_config(config: pytest.Config) -> Settings:
    """Resolve once; a bad value becomes ``pytest.UsageError`` with one sentence naming it."""
    try:
        return resolve(
            dut=_sources(config, "sip_dut"), role=_sources(config, "sip_role"),
            transport=_sources(config, "sip_transport"), t1=_sources(config, "sip_t1"),
            strict=_sources(config, "sip_strict"),
            results=[*_sources(config, "sip_results"), Source(str(reports_dir(config) / "results.json"), "default")],
            probe=_sources(config, "sip_probe"),
            reference_dirs=[config.rootpath / "fixtures" / "duts"], tls_keylog=tls_keylog(config),
        )
    except SettingsError as exc:
        raise pytest.UsageError(f"sipconform: {exc}") from None

