"""A run of paths under ``conformance/`` uses the machine's cores by default: the plugin asks xdist for two
workers per CPU with ``--dist worksteal`` (an idle worker takes queued tests from a busy one, so one that
drew the long-timer tests does not hold the run), unless the user chose: ``-n N`` (``-n 0``: serial),
``--dist``, ``--pdb``, ``-s``, or a reports location of their own (``--sip-reports``/``--sip-results``:
scripted runs stay as they are written). Each worker starts the reference DUTs it uses once; the tests
are independent (ports, Call-IDs and branches unique per worker and test); the longest go first."""

from __future__ import annotations

import json
import os

import pytest

from sipconform.plugin import runs
from sipconform.plugin.options import reports_dir
from sipconform.plugin.reports import selects_conformance

__all__ = ["default_workers", "longest_first"]


def default_workers() -> int:
    """Two workers per CPU: a conformance test mostly waits (protocol windows, timers), so CPUs are not what
    bounds it (the README run at 4 workers on 2 CPUs used 30 s of CPU in 223 s)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 2 * cpus


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Before xdist's own ``pytest_configure`` decides whether to distribute."""
    option = config.option
    if (not config.pluginmanager.hasplugin("xdist") or hasattr(config, "workerinput") or option.help
            or getattr(option, "numprocesses", 0) is not None or getattr(option, "tx", None)
            or getattr(option, "dist", "no") != "no" or option.collectonly or option.usepdb or option.capture == "no"
            or config.getoption("sip_list_clauses", False)):
        return
    reports_dir(config)  # names the run folder when the user named no reports location
    workers = default_workers()
    if runs.current(config) is None or workers < 2 or not selects_conformance(config):
        return
    option.numprocesses = workers
    option.tx = ["popen"] * workers
    option.dist = "worksteal"


def _last_durations(config: pytest.Config) -> dict[str, float]:
    """Each test's duration in the latest default run (``reports/latest/results.json``), if there is one."""
    try:
        doc = json.loads((config.rootpath / "reports" / runs.LATEST / "results.json").read_text(encoding="utf-8"))
        return {str(r["nodeid"]): float(r.get("duration") or 0.0) for r in doc.get("results", [])}
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return {}


def longest_first(items: list[pytest.Item], last: dict[str, float], workers: int = 1) -> list[pytest.Item]:
    """The longest tests first (their duration last time; else property-based tests, which run several
    examples), dealt round-robin into ``workers`` consecutive chunks, as worksteal hands them out at the
    start: every worker begins with long tests, and none starts one when the others are nearly done."""
    def key(item: pytest.Item) -> tuple[float, bool]:
        return -last.get(item.nodeid, 0.0), not getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
    ranked = sorted(items, key=key)
    workers = max(1, min(workers, len(ranked)))
    return [item for k in range(workers) for item in ranked[k::workers]]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On xdist workers: every worker sorts alike (the same file), as xdist requires."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and items:
        items[:] = longest_first(items, _last_durations(config), int(workerinput.get("workercount", 1)))
