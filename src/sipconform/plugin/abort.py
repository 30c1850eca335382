"""Never stale: results.json says when a run did not finish, and why.

- At session start (the controller under xdist) results.json is written at once, empty and marked
  ``aborted`` ("not finished"), so a run killed outright (SIGKILL) never leaves an older run's verdicts
  where they could be taken for its own; the end of the session rewrites it.
- SIGTERM (what CI sends on a timeout) ends the session as SIGINT does (a ``KeyboardInterrupt``), so
  ``pytest_sessionfinish`` still writes the results, marked aborted. The previous handler (``dut.process``
  stops the reference DUTs and chains to it) is put back at the end.
- A run stopped because the DUT stopped answering (``plugin.liveness``) is marked aborted with that reason;
  the tests that never ran are listed as ``not_run`` (never as passed).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import pytest

from sipconform.plugin.liveness import stopped_reason

__all__ = ["NOT_FINISHED", "RunEnd", "not_run"]

NOT_FINISHED = ("the run has not finished: it is still running, or it was killed before it could write its "
                "results")
_PLUGIN_NAME = "sipconform-abort"


@dataclass(eq=False)  # a plugin object: hashed by identity
class RunEnd:
    """How this run ends (a pytest plugin object, one per config)."""

    config: pytest.Config
    signal_name: str | None = None
    stopped: str | None = None
    placeholder: bool = False  # results.json was written at session start: the end must rewrite it
    collected: list[str] = field(default_factory=list)  # under xdist: the test ids the workers collected
    _previous: Any = field(default=None, repr=False)

    @classmethod
    def install(cls, config: pytest.Config) -> RunEnd:
        plugin = config.pluginmanager.get_plugin(_PLUGIN_NAME)
        if plugin is None:
            plugin = cls(config)
            config.pluginmanager.register(plugin, _PLUGIN_NAME)
            plugin._catch_sigterm()
        assert isinstance(plugin, RunEnd)
        return plugin

    # -- SIGTERM: a KeyboardInterrupt-like end of session ------------------------------------------------
    def _catch_sigterm(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        previous = signal.getsignal(signal.SIGTERM)
        if previous is signal.SIG_IGN:
            return
        self._previous = previous
        signal.signal(signal.SIGTERM, self._on_sigterm)

    def _on_sigterm(self, signum: int, frame: FrameType | None) -> None:
        if self.signal_name is not None:  # a second SIGTERM: die as the previous handler would
            self._restore()
            signal.raise_signal(signal.SIGTERM)
            return
        self.signal_name = "SIGTERM"
        raise KeyboardInterrupt("SIGTERM")

    def _restore(self) -> None:
        if self._previous is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._previous)
            self._previous = None

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self._restore()

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: Sequence[str]) -> None:
        if not self.collected:
            self.collected = list(ids)

    # -- the reasons -------------------------------------------------------------------------------------
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.stopped is None and (reason := stopped_reason(report)) is not None:
            self.stopped = reason

    def reason(self, session: pytest.Session) -> str | None:
        """Why the results are partial (None: the run finished)."""
        if self.stopped is not None:
            return self.stopped
        if self.signal_name is not None:
            return f"the run was stopped by {self.signal_name}: these results are partial"
        if session.exitstatus == pytest.ExitCode.INTERRUPTED:
            return "the run was interrupted: these results are partial"
        return None


def not_run(session: pytest.Session, results: Sequence[Mapping[str, Any]]) -> list[str]:
    """The collected conformance tests that have no result (under xdist: the tests the workers collected)."""
    done = {r["nodeid"] for r in results}
    if session.items:
        return [i.nodeid for i in session.items if i.nodeid not in done and _conformance(i)]
    collected = RunEnd.install(session.config).collected
    return [nodeid for nodeid in collected if nodeid not in done]


def _conformance(item: pytest.Item) -> bool:
    return item.get_closest_marker("clause") is not None
