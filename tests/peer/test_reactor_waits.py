"""The reactor's account of waiting: windows waited through (a test's protocol floor), and the one line
a wait that really lasts prints (what it waits for, until when)."""

from __future__ import annotations

from sipconform.peer.clock import FakeClock
from sipconform.peer.reactor import LONG_WAIT, Reactor


def test_windows_run_to_their_deadline_are_the_floor_and_early_ends_are_not() -> None:
    reactor = Reactor(FakeClock())
    reactor.run_for(0.4)
    assert not reactor.run_until(lambda: False, reactor.now() + 1.0)
    assert reactor.run_until(lambda: True, reactor.now() + 30.0)  # the awaited event came at once
    assert not reactor.run_until(lambda: False, reactor.now() + 2.0, floor=False)  # a teardown bound
    assert reactor.waited == 1.4


def test_a_long_wait_is_announced_once_after_it_has_lasted() -> None:
    clock = FakeClock()
    reactor = Reactor(clock)
    said: list[tuple[str, float, float]] = []
    reactor.on_long_wait = lambda what, left: said.append((what, left, clock.now()))
    reactor.run_for(2 * LONG_WAIT)  # not long enough to announce
    assert said == []
    reactor.run_until(lambda: False, clock.now() + 32.0, what="a final response to INVITE from the DUT")
    assert said == [("a final response to INVITE from the DUT", 32.0 - LONG_WAIT, 2 * LONG_WAIT + LONG_WAIT)]
    start = clock.now()
    reactor.run_until(lambda: clock.now() >= start + 1.0, start + 60.0)  # ended early: nothing said
    assert len(said) == 1
