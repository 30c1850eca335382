"""The reactor's account of waiting: windows waited through (a test's protocol floor), and the one line
a wait that really lasts prints (what it waits for, until when)."""

from __future__ import annotations

import pytest

from sipconform.peer import SipPeer
from sipconform.peer.clock import FakeClock
from sipconform.peer.inbox import NoMessage
from sipconform.peer.reactor import LONG_WAIT, Reactor
from sipconform.sip.timers import Timers


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


def test_a_transaction_that_times_out_counts_its_wait_in_the_floor() -> None:
    """A final response that never comes ends when the peer's Timer B fires: 64*T1 waited through."""
    clock = FakeClock()
    reactor = Reactor(clock)
    timers = Timers(t1=0.01, t2=0.04)
    with SipPeer("udp", timers=timers, host="127.0.0.1", reactor=reactor) as peer:
        invite = peer.invite(("127.0.0.1", 9))  # nothing answers on the discard port
        peer.send(invite, ("127.0.0.1", 9))
        with pytest.raises(NoMessage, match="timed out"):
            peer.expect_response(invite, final=True, within=1.0)
    assert reactor.waited == pytest.approx(timers.b, abs=0.02)
