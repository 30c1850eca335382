"""DUTs for the plugin: the per-process pool of reference DUTs and the liveness probe of external ones."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sipconform.dut.logscan import keep_log
from sipconform.dut.profile import DutProfile
from sipconform.dut.reference import RunningDut, start_reference
from sipconform.plugin.settings import DutTarget, Settings

__all__ = ["TARGET_PARAM", "DutPool", "DutUnavailable", "probe_deadline", "probe_external", "target_of"]

TARGET_PARAM = "sip_target"
"""The fixture ``pytest_generate_tests`` parametrises (indirectly) with each test's ``DutTarget``."""


def target_of(item: object) -> DutTarget | None:
    """The (DUT, transport) a collected test instance runs against, None if it has none."""
    callspec = getattr(item, "callspec", None)
    param = callspec.params.get(TARGET_PARAM) if callspec is not None else None
    return param if isinstance(param, DutTarget) else None

# The probe waits PROBE_T1_MULTIPLE*T1 for an OPTIONS answer, clamped: a fast-T1 DUT still gets a
# fair chance, a slow-T1 one does not hold the run for long before it is declared unreachable.
PROBE_T1_MULTIPLE = 8
PROBE_MIN_S = 1.0
PROBE_MAX_S = 4.0


class DutUnavailable(RuntimeError):
    """A DUT the run cannot use (a reference DUT that did not start); the message says why."""


class DutPool:
    """The DUTs of this process (one pool per xdist worker). Reference DUTs are started on first
    use and stopped by ``close()``; one that failed to start is not retried: every later test gets
    the same ``DutUnavailable``. External DUTs are handed out as their profile."""

    def __init__(self, workdir: Callable[[str], Path]) -> None:
        self._workdir = workdir
        self._running: dict[str, RunningDut] = {}
        self._failed: dict[str, str] = {}
        self._lock = threading.Lock()
        self._closed = False

    def running(self, dut: DutProfile) -> DutProfile:
        """``dut`` as the tests use it: an external DUT as it is; a reference DUT started from this very
        profile (timers after the options) on first use, at its real address."""
        if dut.reference is None:
            return dut
        name = dut.name
        with self._lock:
            if self._closed:
                raise DutUnavailable(f"reference DUT {name}: the pool is closed (session ending)")
            if name in self._failed:
                raise DutUnavailable(self._failed[name])
            if name not in self._running:
                self._running[name] = self._start(dut)
        return self._running[name].profile

    def _start(self, dut: DutProfile) -> RunningDut:
        try:
            return start_reference(dut, self._workdir(dut.name))
        except Exception as exc:  # noqa: BLE001 - any failure: one message, no retry
            message = f"reference DUT {dut.name} could not be started: {exc}"
            self._failed[dut.name] = message
            raise DutUnavailable(message) from None

    def pid(self, name: str) -> int | None:
        """The process id of the running reference DUT ``name`` this pool started (None: none running)."""
        running = self._running.get(name)
        return running.process.pid if running is not None and running.process.running else None

    def exited(self, name: str) -> str | None:
        """How the reference DUT ``name`` this pool started ended, if its process has exited (else None)."""
        running = self._running.get(name)
        if running is None or running.process.running:
            return None
        return f"its process (reference DUT {name}) exited with status {running.process.returncode}"

    def log_text(self, name: str) -> str:
        """The log of a running reference DUT so far ("" for an external or not started DUT)."""
        running = self._running.get(name)
        return str(running.log_text()) if running is not None else ""

    def close(self, keep_logs_in: Path | None = None, worker: str = "main") -> None:
        """Stop every reference DUT this pool started (idempotent; never raises); with ``keep_logs_in``
        (the reports folder) copy each DUT's log there for ``dut.logscan`` to scan at the end of the run."""
        with self._lock:
            self._closed = True
            running, self._running = self._running, {}
        for name, dut in running.items():
            try:
                dut.stop()
                if keep_logs_in is not None:
                    keep_log(name, dut.process.log_path, keep_logs_in, worker)
            except Exception as exc:  # noqa: BLE001 - report and carry on stopping the others
                print(f"sipconform: stopping reference DUT {name} failed: {exc}", file=sys.stderr)


def probe_deadline(dut: DutProfile) -> float:
    """How long the liveness probe waits: PROBE_T1_MULTIPLE*T1 clamped to [PROBE_MIN_S, PROBE_MAX_S]."""
    return min(max(PROBE_T1_MULTIPLE * dut.timers.t1, PROBE_MIN_S), PROBE_MAX_S)


def probe_external(settings: Settings) -> str | None:
    """OPTIONS-probe every external DUT on every selected transport, in parallel; the first failure
    as one sentence, or None when all answered. A UAC that an ``exec`` upper tester starts per call
    (SIPp, a dial tool) listens only during the call, so there is nothing to probe beforehand."""
    from sipconform.dut.probe import HandshakeFailed, probe
    from sipconform.dut.secure import peer_options
    from sipconform.plugin.settings import families

    def listens(d: DutProfile) -> bool:
        return not (d.role == "uac" and d.upper_tester.kind == "exec")

    jobs = [(d.on(t, f), t, d) for d in settings.duts if d.reference is None and listens(d)
            for t in d.transports if settings.runs_over(t) for f in families(d)]
    if not jobs:
        return None

    def one(job: tuple[DutProfile, str, DutProfile]) -> str | None:
        p, transport, named = job
        deadline = probe_deadline(p)
        who = "DUT" if named.name == f"{named.host}:{named.port}" else f"DUT {p.name}"
        where = f"{transport}:{f'[{p.host}]' if ':' in p.host else p.host}:{p.port}"
        try:
            answer = probe(p.host, p.port, transport, deadline, retry_s=p.timers.t1,
                           **peer_options(p, transport, settings.tls_keylog))
        except HandshakeFailed as exc:  # §26.3.1: the certificate check is the suite's to make, not to skip
            hint = "; give its CA as [tls] ca, or verify = false" if "verif" in str(exc) else ""
            return f"{who} at {where}: {exc}{hint}"
        except (OSError, ValueError) as exc:
            return f"{who} at {where} cannot be probed: {exc}"
        if answer is None:
            return (f"{who} at {where} did not answer an OPTIONS within "
                    f"{deadline:g} s ({PROBE_T1_MULTIPLE}*T1, clamped to {PROBE_MIN_S:g}..{PROBE_MAX_S:g} s); "
                    f"is it running and reachable? (--no-sip-probe skips this check)")
        return None

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        failures = [msg for msg in pool.map(one, jobs) if msg]
    return failures[0] if failures else None
