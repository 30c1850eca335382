"""One selector and one clock for all the peers of a test; I/O is pumped inside the waits.

There is no background thread. A test waits on one peer (``expect_*``), the peer asks the reactor
to run until a condition holds or a deadline passes, and while it runs the reactor reads every
registered socket and fires every due timer of every peer: waiting on the UAC peer still lets the
UAS peer retransmit its 487 and absorb retransmitted INVITEs. An exception in our own code is
raised in the test thread, where it happened.
"""

from __future__ import annotations

import selectors
import socket
from typing import Callable, Protocol

from sipconform.peer.clock import Clock, MonotonicClock

__all__ = ["LONG_WAIT", "Reactor", "TimerSource"]

_MAX_TURNS = 1_000_000  # every loop is bounded; each turn handles I/O or waits for a deadline
LONG_WAIT = 5.0
"""A wait still running after this many seconds, of a window over twice as long, is announced once
(``on_long_wait``): what it waits for and until when."""


class TimerSource(Protocol):
    """Something with timers (a peer and its transactions)."""

    def next_deadline(self) -> float | None: ...

    def on_timers(self, now: float) -> None: ...


class Reactor:
    """The event loop of one test: ``run_until(done, deadline)`` is the only way time passes."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or MonotonicClock()
        self.selector = selectors.DefaultSelector()
        self.closed = False
        self.started_at = self.clock.now()
        self._sources: list[TimerSource] = []
        self.waited = 0.0
        """Seconds of the windows waited through to their deadline: the waits the protocol set on the test's
        critical path (a quiet window, a timer, a response that never came), its floor."""
        self.on_long_wait: Callable[[str, float], None] | None = None
        """Called with (what, seconds left) when a long wait has run ``LONG_WAIT`` seconds."""

    def now(self) -> float:
        return self.clock.now()

    def elapsed(self) -> float:
        """Seconds since the reactor (the test) started."""
        return self.clock.now() - self.started_at

    # -- registration ----------------------------------------------------------------------------------
    def register(self, sock: socket.socket, on_readable: Callable[[], None]) -> None:
        self.selector.register(sock, selectors.EVENT_READ, on_readable)

    def unregister(self, sock: socket.socket) -> None:
        try:
            self.selector.unregister(sock)
        except (KeyError, ValueError):
            pass  # already gone (closed by the remote and cleaned up)

    def add_source(self, source: TimerSource) -> None:
        self._sources.append(source)

    def remove_source(self, source: TimerSource) -> None:
        if source in self._sources:
            self._sources.remove(source)

    # -- running ----------------------------------------------------------------------------------------
    def run_until(self, done: Callable[[], bool], deadline: float, *, what: str = "", floor: bool = True) -> bool:
        """Pump I/O and timers until ``done()`` is true (-> True) or ``deadline`` passes (-> False). A window
        run to its deadline counts in ``waited`` unless ``floor`` is false (a teardown bound, not the protocol's)."""
        start = self.clock.now()
        announce_at = start + LONG_WAIT if self.on_long_wait is not None and deadline - start > 2 * LONG_WAIT else None
        self._dispatch(self.clock.select(self.selector, 0.0) if self.selector.get_map() else [])
        for _ in range(_MAX_TURNS):
            now = self.clock.now()
            self._fire_timers(now)
            if done():
                return True
            now = self.clock.now()
            if now >= deadline:
                if floor:
                    self.waited += deadline - start
                return False
            if announce_at is not None and now >= announce_at and self.on_long_wait is not None:
                self.on_long_wait(what or "the DUT", deadline - now)  # a wait that really lasts: say so, once
                announce_at = None
            wake = min([deadline, *self._timer_deadlines(), *([announce_at] if announce_at is not None else [])])
            self._dispatch(self.clock.select(self.selector, max(0.0, wake - now)))
        raise RuntimeError(f"reactor: no progress after {_MAX_TURNS} turns")

    def run_for(self, seconds: float, what: str = "a quiet window to pass") -> None:
        """Pump I/O and timers for ``seconds`` (an ``expect_nothing`` window)."""
        self.run_until(lambda: False, self.clock.now() + seconds, what=what)

    def poll(self) -> None:
        """Handle what is ready now, without waiting."""
        self.run_until(lambda: True, self.clock.now())

    def close(self) -> None:
        self.closed = True
        self.selector.close()
        self._sources.clear()

    def _timer_deadlines(self) -> list[float]:
        return [d for d in (s.next_deadline() for s in self._sources) if d is not None]

    def _fire_timers(self, now: float) -> None:
        for source in list(self._sources):
            deadline = source.next_deadline()
            if deadline is not None and deadline <= now:
                source.on_timers(now)

    @staticmethod
    def _dispatch(ready: list[tuple[selectors.SelectorKey, int]]) -> None:
        for key, _events in ready:
            key.data()
