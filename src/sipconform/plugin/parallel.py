"""A conformance run uses the machine's cores by default: the plugin asks xdist for one worker per CPU with
``--dist worksteal`` (an idle worker takes queued tests from a busy one, so one drawing the long-timer tests
does not hold the run), unless the user chose: ``-n N`` (``-n 0``: serial), ``--dist``, ``--pdb``, or a
reports location of their own (``--sip-reports``/``--sip-results``: scripted runs stay as they are written).
Each worker starts the reference DUTs it uses once; the tests are independent (ports, Call-IDs and
branches unique per worker and test)."""

from __future__ import annotations

import os

import pytest

from sipconform.plugin import runs
from sipconform.plugin.options import reports_dir
from sipconform.plugin.reports import is_conformance_run

__all__ = ["default_workers"]


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Before xdist's own ``pytest_configure`` decides whether to distribute."""
    option = config.option
    if (not config.pluginmanager.hasplugin("xdist") or hasattr(config, "workerinput") or option.help
            or getattr(option, "numprocesses", 0) is not None or getattr(option, "tx", None)
            or getattr(option, "dist", "no") != "no" or option.collectonly or option.usepdb
            or config.getoption("sip_list_clauses", False)):
        return
    reports_dir(config)  # names the run folder when the user named no reports location
    workers = default_workers()
    if runs.current(config) is None or workers < 2 or not is_conformance_run(config):
        return
    option.numprocesses = workers
    option.tx = ["popen"] * workers
    option.dist = "worksteal"
