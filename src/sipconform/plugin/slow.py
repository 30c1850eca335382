"""The ``slow`` tests are opt-in: left out unless ``--sip-slow`` (ini ``sip_slow``), a ``-m`` naming ``slow``,
or their module named on the command line (``pytest conformance/uas/test_x.py`` runs all of test_x).

Their length is set by long protocol timers (Timer C over 3 minutes, a provisional every minute, 64*T1
waits on long timers), so a default run reaches its verdicts in minutes; the summary says in one line how
many were left out and how to run them. Under xdist each worker deselects the same tests and reports the
count to the controller (``workeroutput``), which prints the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sipconform.plugin.options import run_slow

__all__ = ["LEFT_OUT_KEY", "left_out_line"]

LEFT_OUT_KEY = pytest.StashKey[int]()
_WORKEROUTPUT = "sip_slow_left_out"


def left_out_line(count: int) -> str:
    return (f"{count} slow test(s) left out (long protocol timers: Timer C, a provisional every minute, 64*T1 "
            f"waits); run them too with --sip-slow, or only them with -m slow")


def _named_files(config: pytest.Config) -> set[Path]:
    """The test files named on the command line (``path.py`` or ``path.py::test``), not found in a folder."""
    files = set()
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::")[0])
        if path.suffix == ".py" and path.is_file():
            files.add(path.resolve())
    return files


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if run_slow(config):
        return
    named = _named_files(config)  # a module named on the command line is run whole: the user chose it
    slow = [item for item in items
            if item.get_closest_marker("slow") is not None and Path(item.path).resolve() not in named]
    config.stash[LEFT_OUT_KEY] = len(slow)
    if slow:
        config.hook.pytest_deselected(items=slow)
        left_out = set(map(id, slow))
        items[:] = [item for item in items if id(item) not in left_out]


def pytest_sessionfinish(session: pytest.Session) -> None:
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output[_WORKEROUTPUT] = session.config.stash.get(LEFT_OUT_KEY, 0)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist (controller): every worker left out the same tests; keep the count."""
    count = int(getattr(node, "workeroutput", {}).get(_WORKEROUTPUT, 0) or 0)
    config = node.config
    config.stash[LEFT_OUT_KEY] = max(count, config.stash.get(LEFT_OUT_KEY, 0))


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    count = config.stash.get(LEFT_OUT_KEY, 0)
    if count:
        terminalreporter.write_line(left_out_line(count), yellow=True)
