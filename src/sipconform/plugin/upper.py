"""The ``upper_tester`` fixture: how a test makes the DUT place a call and hang up (as UAC) or reject the
call that rings (as UAS).

Built per test from the DUT profile's ``[upper_tester]`` (``make_upper_tester``), with a timeout
derived from the DUT's timers, and closed at teardown. Whatever goes wrong in the upper tester itself
(a control connection refused, a dialler that cannot start) is one ``UpperTesterError``, so a test or
a scenario step can tell "the upper tester could not act" from a DUT that misbehaved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sipconform.dut.profile import DutProfile
from sipconform.dut.upper_tester import CallTarget, UpperTester, UpperTesterError, make_upper_tester
from sipconform.sip.timers import Timers

__all__ = ["GuardedUpperTester", "reaction_window", "terminal_notifier", "upper_tester", "upper_tester_timeout"]

# Bounds of the upper tester's own waits (a hang-up command, a control request): 64*T1 (Timer B),
# clamped so a fast-T1 lab device still gets time to react and a slow one does not hold the run.
_MIN_TIMEOUT_S = 2.0
_MAX_TIMEOUT_S = 64.0
# How long the DUT has to put on the wire what an action of an automatic (exec, baresip) upper tester made
# it do, once that action returned: 16*T1 covers a UDP response and four Timer G retransmissions of it.
_REACTION_T1 = 16


def upper_tester_timeout(timers: Timers) -> float:
    """How long the upper tester may take for one action: 64*T1 clamped to [2 s, 64 s]."""
    return min(max(timers.b, _MIN_TIMEOUT_S), _MAX_TIMEOUT_S)


def reaction_window(kind: str, timers: Timers) -> float:
    """How long to wait for the DUT to act once an upper tester action returned: 16*T1, or for a manual
    upper tester (the operator acts after the prompt) as long as one action may take."""
    return upper_tester_timeout(timers) if kind == "manual" else _REACTION_T1 * timers.t1


class GuardedUpperTester:
    """An upper tester whose failures are all ``UpperTesterError`` (with the DUT's name), and which
    remembers whether it placed a call, so teardown can end a call the test left ringing. ``reaction``:
    how long the DUT has to show on the wire what an action made it do (``reaction_window``)."""

    def __init__(self, inner: UpperTester, dut: str, reaction: float = 0.0) -> None:
        self.inner = inner
        self.dut = dut
        self.reaction = reaction
        self.calls = 0
        self.hang_ups = 0

    def _guard(self, what: str, action: Callable[[], None]) -> None:
        try:
            action()
        except UpperTesterError:
            raise
        except Exception as exc:  # noqa: BLE001 - a control connection, a process: one error type for the tests
            raise UpperTesterError(f"upper tester of {self.dut} could not {what}: {exc}") from None

    def call(self, target: CallTarget) -> None:
        self._guard(f"make it call {target.uri}", lambda: self.inner.call(target))
        self.calls += 1

    def hang_up(self) -> None:
        self._guard("make it hang up", self.inner.hang_up)
        self.hang_ups += 1

    def reinvite(self) -> None:
        self._guard("make it send a re-INVITE", self.inner.reinvite)

    def cancel(self) -> None:
        self._guard("make it cancel its re-INVITE", self.inner.cancel)

    def reject(self) -> None:
        self._guard("make it reject the call ringing in", self.inner.reject)

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:  # e.g. ExecUpperTester.log_text
        return getattr(self.inner, name)


def terminal_notifier(config: pytest.Config) -> Callable[[str], None]:
    """``notify(text)``: a line on the terminal even while output is captured (manual upper tester)."""
    def notify(text: str) -> None:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        capture = config.pluginmanager.get_plugin("capturemanager")
        if reporter is None:
            print(text)
            return
        if capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.write_line(f"\n>>> {text}", bold=True, yellow=True)
        else:
            reporter.write_line(f"\n>>> {text}", bold=True, yellow=True)
    return notify


@pytest.fixture
def upper_tester(request: pytest.FixtureRequest, dut: DutProfile, sip_timers: Timers,
                 tmp_path: Path) -> Iterator[GuardedUpperTester]:
    """The DUT's upper tester, from its profile's ``[upper_tester]``: ``call(target)`` makes the DUT
    (a UAC) call ``target`` (the peer: ``sipconform.flows.uac.Target``), ``hang_up()`` makes it
    hang up (before an answer: a CANCEL is due); ``reinvite()`` and ``cancel()`` make it send a re-INVITE
    in the established call and cancel that re-INVITE (exec profiles with those commands; manual);
    ``reject()`` makes the DUT (a UAS) reject the incoming call that rings (exec, baresip, manual).
    ``reaction``: how long the DUT then has to act on the wire.

    Kinds: ``exec`` runs the profile's ``call`` / ``hangup`` / ``reinvite`` / ``cancel`` / ``reject`` argv
    (placeholders {uri} {host} {port} {transport} of the call placed; output in the test's tmp dir,
    ``upper-tester.log``); ``baresip`` drives baresip's ctrl_tcp; ``manual`` prints what the operator must
    do on the terminal; ``none`` makes every test that needs it inconclusive. Each action may take up to 64*T1
    (clamped to 2..64 s). Failures of
    the upper tester itself raise ``UpperTesterError``. Closed at teardown; a call it placed is hung up
    first, so the DUT starts the next test idle."""
    inner = make_upper_tester(dut.upper_tester, workdir=tmp_path / "upper-tester",
                              timeout=upper_tester_timeout(sip_timers), notify=terminal_notifier(request.config))
    guarded = GuardedUpperTester(inner, dut.name, reaction_window(dut.upper_tester.kind, sip_timers))
    try:
        yield guarded
    finally:
        try:
            if guarded.calls and dut.upper_tester.kind == "baresip":
                guarded.hang_up()  # a call left ringing would take the next test's hang-up
        except UpperTesterError:
            pass
        finally:
            guarded.close()
