"""Time for the peer: the one place where the suite really waits.

``Clock.select(selector, timeout)`` is the only real wait in the suite: it blocks on sockets for at
most ``timeout`` seconds. No ``time.sleep`` anywhere: a wait always ends early when a datagram or a
segment arrives. ``FakeClock`` never blocks: it polls and then jumps its time forward, so self-tests
of timer behaviour run in microseconds.
"""

from __future__ import annotations

import selectors
import time
from typing import Protocol

__all__ = ["Clock", "FakeClock", "MonotonicClock", "Ready"]

Ready = list[tuple[selectors.SelectorKey, int]]


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic scale (only differences mean anything)."""
        ...

    def select(self, selector: selectors.BaseSelector, timeout: float) -> Ready:
        """Wait at most ``timeout`` seconds for a registered socket to be ready."""
        ...


class MonotonicClock:
    """Real time: ``time.monotonic`` and a blocking ``selector.select``."""

    def now(self) -> float:
        return time.monotonic()

    def select(self, selector: selectors.BaseSelector, timeout: float) -> Ready:
        return selector.select(max(0.0, timeout))


class FakeClock:
    """Manual time for self-tests: ``advance(dt)``; ``select`` polls and then moves time by ``timeout``."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time does not go backwards")
        self._now += seconds

    def select(self, selector: selectors.BaseSelector, timeout: float) -> Ready:
        ready = selector.select(0) if selector.get_map() else []
        if not ready:
            self.advance(max(0.0, timeout))
        return ready
