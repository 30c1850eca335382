"""Liveness before blame: a test that got nothing back from a DUT that has stopped answering is an ``error``.

When a test is about to end ``fail``, ``warn``, ``inconclusive`` or ``error`` and the DUT sent nothing at
all during it (its wire log has no incoming record), the silence may be the DUT's death rather than its
conformance. The DUT is then re-probed, as at start-up (``dut.probe``: one OPTIONS, RFC 3261 §11; for a
reference DUT its process is checked too; with ``--no-sip-probe`` only that process). No answer: the
verdict is ``error``, "the DUT stopped answering at +N s", and the DUT is held for dead: each later test
against it is probed at setup, before it waits a Timer B for nothing. A started reference DUT is watched
during each test too (a pidfd in the test's reactor): its death ends the test at once, an ``error``.
After ``STOP_AFTER`` such errors in a row the run stops (``session.shouldstop``, each xdist worker
alike); results.json then says why (``plugin.abort``) and the tests left are not run.
"""

from __future__ import annotations

import os
import selectors
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import pytest

from sipconform.dut.profile import DutProfile
from sipconform.plugin.duts import DutPool, probe_deadline, target_of
from sipconform.plugin.options import SETTINGS_KEY
from sipconform.plugin.peers import PEERS_KEY
from sipconform.plugin.verdicts import PHASES_KEY
from sipconform.verdict import Outcome, Verdict

__all__ = ["STOP_AFTER", "DutStopped", "Liveness", "make_error", "stopped_reason"]

STOP_AFTER = 3
"""Errors "the DUT stopped answering" in a row after which the run stops."""
_JUDGED = ("fail", "warn", "inconclusive", "error")
_PLUGIN_NAME = "sipconform-liveness"
_WATCH_KEY = pytest.StashKey[int]()  # the pidfd of the reference DUT watched during the test
STOPPED_ATTR = "sip_dut_stopped"
"""A report attribute (it survives xdist's serialisation): why the DUT was found dead, set on the report
whose error it caused; with ``sip_run_stopped`` when that error stopped the run."""


class DutStopped(Outcome):
    """The DUT did not answer a liveness probe: nothing the test saw (or did not see) is the DUT's verdict."""

    verdict = Verdict.ERROR


@dataclass
class _Dead:
    since: float              # seconds into the run when it fell silent (the start of the silent test)
    dut: DutProfile           # at its real address (a started reference DUT's)
    pool: DutPool | None      # the pool that started it, for its process


@dataclass(eq=False)  # a plugin object: hashed by identity
class Liveness:
    """This process's view of its DUTs (a pytest plugin object, one per config)."""

    config: pytest.Config
    start: float = field(default_factory=time.monotonic)
    dead: dict[str, _Dead] = field(default_factory=dict)
    streak: int = 0
    test_start: float = 0.0

    @classmethod
    def install(cls, config: pytest.Config) -> None:
        if not config.pluginmanager.has_plugin(_PLUGIN_NAME):
            config.pluginmanager.register(cls(config), _PLUGIN_NAME)

    # -- before a test: a DUT held for dead is probed first -------------------------------------------
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.test_start = time.monotonic()
        target = target_of(item)
        if target is None or target.dut.name not in self.dead:
            return
        dead = self.dead[target.dut.name]  # fixtures are not set up yet: the DUT as it was last seen
        why = self._unanswered(dead.pool, dead.dut, target.transport)
        if why is None:  # it answers again: judge the test as usual
            del self.dead[target.dut.name]
            return
        raise DutStopped(f"the DUT stopped answering at +{dead.since:.1f} s of the run ({why}); this test "
                         f"was not run against it")

    # -- during a test: a reference DUT's death ends it at once --------------------------------------------
    def pytest_runtest_call(self, item: pytest.Item) -> None:
        funcargs = getattr(item, "funcargs", {})
        factory, pool, dut = (funcargs.get(k) for k in ("sip_peer_factory", "sip_dut_pool", "dut"))
        if factory is None or not isinstance(pool, DutPool) or not isinstance(dut, DutProfile):
            return
        pid = pool.pid(dut.name)
        try:
            fd = os.pidfd_open(pid) if pid is not None else None
        except OSError:  # an old kernel: the probe after the test still tells
            fd = None
        if fd is None:
            return
        reactor = factory.reactor

        def died() -> None:
            reactor.selector.unregister(fd)  # once: the test's teardown must not hear it again
            at = time.monotonic() - self.start
            self.dead[dut.name] = _Dead(at, dut, pool)
            raise DutStopped(f"the DUT stopped answering at +{at:.1f} s of the run, during this test: "
                             f"{pool.exited(dut.name) or 'its process exited'}")

        reactor.selector.register(fd, selectors.EVENT_READ, died)
        item.stash[_WATCH_KEY] = fd

    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        fd = item.stash.get(_WATCH_KEY, None)
        if fd is not None:
            reactor = getattr(item, "funcargs", {})["sip_peer_factory"].reactor  # still open: torn down later
            if not reactor.closed and fd in reactor.selector.get_map():
                reactor.selector.unregister(fd)
            os.close(fd)
            del item.stash[_WATCH_KEY]

    # -- after a phase: silence from a DUT that does not answer a probe is an error ---------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]
                                  ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.when == "teardown":
            return report
        verdict = getattr(report, "sip_verdict", None)
        if verdict == "error" and call.excinfo is not None and isinstance(call.excinfo.value, DutStopped):
            make_error(item, report, str(call.excinfo.value))  # one line, no traceback of ours
            self._count(item, report, str(call.excinfo.value))
        elif verdict in _JUDGED and not self._heard(item):
            self._review(item, report)
        elif report.when == "call":
            self.streak = 0
        return report

    def _heard(self, item: pytest.Item) -> bool:
        """Whether the test used the network and the DUT sent something (True when there was no network)."""
        peers = item.stash.get(PEERS_KEY, [])
        return not peers or any(r.direction == "in" for p in peers for r in p.wire.records)

    def _review(self, item: pytest.Item, report: pytest.TestReport) -> None:
        target = target_of(item)
        if target is None:
            return
        funcargs = getattr(item, "funcargs", {})
        running, pool = funcargs.get("dut"), funcargs.get("sip_dut_pool")
        dut = running if isinstance(running, DutProfile) else target.dut
        pool = pool if isinstance(pool, DutPool) else None
        why = self._unanswered(pool, dut, target.transport)
        if why is None:
            self.streak = 0
            return
        since = self.test_start - self.start
        self.dead[target.dut.name] = _Dead(since, dut, pool)
        first = (str(getattr(report, "sip_message", "")).splitlines() or [""])[0]
        message = (f"the DUT stopped answering at +{since:.1f} s of the run: it sent nothing during this test "
                   f"and {why} (the test alone would have said {report.sip_verdict}: {first})")
        make_error(item, report, message)
        self._count(item, report, message)

    def _count(self, item: pytest.Item, report: pytest.TestReport, message: str) -> None:
        setattr(report, STOPPED_ATTR, message)
        self.streak += 1
        if self.streak >= STOP_AFTER and not item.session.shouldstop:
            item.session.shouldstop = (f"sipconform: the DUT stopped answering ({self.streak} tests in a row "
                                       f"could not reach it): the run stopped; the tests left were not run")
            report.sip_run_stopped = item.session.shouldstop  # type: ignore[attr-defined]

    # -- probing ------------------------------------------------------------------------------------------
    def _unanswered(self, pool: DutPool | None, dut: DutProfile, transport: str) -> str | None:
        """Why the DUT is dead (its process exited, or it did not answer a probe), None if it answers or
        cannot be probed."""
        if pool is not None and (exited := pool.exited(dut.name)) is not None:
            return exited
        settings = self.config.stash.get(SETTINGS_KEY, None)
        if settings is not None and not settings.probe:
            return None  # --no-sip-probe: the DUT is not to be probed
        if dut.reference is None and dut.role == "uac" and dut.upper_tester.kind == "exec":
            return None  # it listens only during the calls its upper tester places: nothing to probe
        if transport not in ("udp", "tcp"):
            return None  # the start-up probe speaks UDP and TCP only
        from sipconform.dut.probe import probe

        deadline = probe_deadline(dut)
        try:
            answer = probe(dut.host, dut.port, transport, deadline, retry_s=dut.timers.t1)
        except (OSError, ValueError):
            answer = None
        if answer is not None:
            return None
        at = time.monotonic() - self.start
        return (f"an OPTIONS probe to {transport}:{dut.host}:{dut.port} at +{at:.1f} s got no answer within "
                f"{deadline:g} s")


def make_error(item: pytest.Item, report: pytest.TestReport, message: str) -> None:
    """Turn this phase's verdict into ``error`` with ``message`` (the phase list ``finalize`` reads too)."""
    phases = item.stash.get(PHASES_KEY, [])
    if phases:
        phases[-1] = (Verdict.ERROR, message)
    else:
        item.stash[PHASES_KEY] = [(Verdict.ERROR, message)]
    report.outcome = "failed"
    report.longrepr = f"error: {message}"
    report.sip_verdict = Verdict.ERROR.value  # type: ignore[attr-defined]
    report.sip_message = message  # type: ignore[attr-defined]


def stopped_reason(report: Any) -> str | None:
    """Why the run stopped, if this report's error stopped it (read by the controller under xdist too)."""
    reason = getattr(report, "sip_run_stopped", None)
    return str(reason) if reason else None
