"""Say what a long wait waits for and until when (a Timer C, a minute between provisionals, a 64*T1 wait),
so a console that prints nothing for minutes does not look hung. Under xdist the line goes to the
worker's stderr, which the controller's console shows."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import pytest

__all__ = ["announcer"]


def announcer(config: pytest.Config, nodeid: str) -> Callable[[str, float], None]:
    """``announce(what, seconds left)`` for the reactor's ``on_long_wait``: one line, outside output capture."""
    worker = getattr(config, "workerinput", {}).get("workerid")

    def announce(what: str, seconds: float) -> None:
        until = time.strftime("%H:%M:%S", time.localtime(time.time() + seconds))
        line = f"sipconform: still waiting for {what}, up to {seconds:.0f} s more (until {until}) [{nodeid}]"
        capman: Any = config.pluginmanager.getplugin("capturemanager")
        quiet: AbstractContextManager[Any] = capman.global_and_fixture_disabled() if capman else nullcontext()
        reporter: Any = config.pluginmanager.getplugin("terminalreporter")
        with quiet:
            if worker is None and reporter is not None:
                reporter.write_line(line)
            else:
                sys.stderr.write(f"[{worker or 'main'}] {line}\n")
                sys.stderr.flush()

    return announce
