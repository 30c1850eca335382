"""A managed child process: started by us, logged to a file, always stopped by PID.

Every ``ManagedProcess`` registers itself in a module-level registry; an ``atexit`` hook
and a SIGTERM handler stop all of them, so a run that is interrupted (SIGINT raises
KeyboardInterrupt and reaches ``atexit``; SIGTERM is caught here) leaves no DUT behind.
Only processes this module started are ever signalled, by their PID / process group
(each is the leader of a new session, ``start_new_session=True``).

Waiting is event based: ``proc.wait(timeout)`` and ``select`` on pidfds, always bounded
by a deadline; nothing here sleeps blindly.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

__all__ = ["ManagedProcess", "ProcessStartError", "group_members", "running_processes", "stop_all", "wait_pids_gone"]

_REGISTRY: dict[int, ManagedProcess] = {}
_LOCK = threading.Lock()
_HOOKS_INSTALLED = False
_PREV_SIGTERM: Any = None
_PR_SET_PDEATHSIG = 1


class ProcessStartError(RuntimeError):
    """The program could not be started at all (missing binary, bad workdir)."""


try:  # resolved here, in the parent: the child between fork and exec only makes the call
    _PRCTL: Any = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux
    _PRCTL = None


def _die_with_parent() -> None:
    """In the child: get SIGTERM when our process dies, even by SIGKILL (Linux PR_SET_PDEATHSIG)."""
    _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGTERM))


class ManagedProcess:
    """One program we started, with its output in ``workdir/<name>.log``."""

    def __init__(self, argv: Sequence[str], workdir: Path, name: str, *,
                 env: Mapping[str, str] | None = None, cwd: Path | None = None) -> None:
        self.argv = [str(a) for a in argv]
        self.name = name
        self.workdir = Path(workdir)
        self.log_path = self.workdir / f"{name}.log"
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        # PDEATHSIG is tied to the thread that forks: only ask for it from the main thread,
        # so a DUT started from a helper thread does not die when that thread ends.
        in_main = threading.current_thread() is threading.main_thread()
        preexec = _die_with_parent if _PRCTL is not None and in_main else None
        try:
            self._popen = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=str(cwd or self.workdir), env=dict(env) if env is not None else None,
                start_new_session=True, close_fds=True, preexec_fn=preexec)
        except OSError as exc:
            raise ProcessStartError(f"cannot start {self.argv[0]!r}: {exc.strerror or exc}") from None
        finally:
            log.close()
        self.pid = self._popen.pid
        self.pgid = self.pid  # leader of its own session and process group
        self._stopped = False
        _register(self)

    # ---- state -------------------------------------------------------------------------
    @property
    def returncode(self) -> int | None:
        return self._popen.poll()

    @property
    def running(self) -> bool:
        return self._popen.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 25) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    # ---- waiting -----------------------------------------------------------------------
    def wait_for(self, condition: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
        """Check ``condition`` until it holds (True), the process exits or ``timeout`` passes (False).

        Between checks we block in ``wait(interval)``, which returns at once if the process dies.
        """
        deadline = time.monotonic() + timeout
        while True:
            if condition():
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.running:
                return False
            try:
                self._popen.wait(timeout=min(interval, remaining))
            except subprocess.TimeoutExpired:
                pass

    def pause(self, seconds: float) -> bool:
        """Block up to ``seconds``; return early with False if the process exits."""
        try:
            self._popen.wait(timeout=max(seconds, 0.0))
        except subprocess.TimeoutExpired:
            return True
        return False

    # ---- stopping ----------------------------------------------------------------------
    def stop(self, timeout: float = 3.0) -> int | None:
        """SIGTERM the process group, wait up to ``timeout``, then SIGKILL. Idempotent."""
        if self._stopped:
            return self._popen.returncode
        if self._popen.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self._popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self._popen.wait(timeout=timeout)
        # The leader is gone; children of it (kamailio workers) normally went with it.
        leftovers = group_members(self.pgid)
        if leftovers and not wait_pids_gone(leftovers, timeout):
            self._signal_group(signal.SIGKILL)
            wait_pids_gone(group_members(self.pgid), timeout)
        self._stopped = True
        _unregister(self)
        return self._popen.returncode

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.pgid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:  # not ours any more: signal only the PID we hold
            if self._popen.poll() is None:
                self._popen.send_signal(sig)

    def __repr__(self) -> str:
        state = "running" if self.running else f"exited {self.returncode}"
        return f"<ManagedProcess {self.name} pid={self.pid} {state}>"


def group_members(pgid: int) -> list[int]:
    """PIDs whose process group is ``pgid`` (from /proc; zombies excluded)."""
    members: list[int] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path("/proc", entry, "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


def wait_pids_gone(pids: list[int], timeout: float) -> bool:
    """Wait (pidfd + select) until every PID has exited; True if all went within ``timeout``."""
    fds: list[int] = []
    for pid in pids:
        try:
            fds.append(os.pidfd_open(pid))
        except OSError:
            continue  # already gone
    deadline = time.monotonic() + timeout
    try:
        while fds:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            ready, _, _ = select.select(fds, [], [], remaining)
            for fd in ready:
                fds.remove(fd)
                os.close(fd)
        return True
    finally:
        for fd in fds:
            os.close(fd)


# ---- registry and exit paths ------------------------------------------------------------
def _register(proc: ManagedProcess) -> None:
    with _LOCK:
        _REGISTRY[proc.pid] = proc
    _install_hooks()


def _unregister(proc: ManagedProcess) -> None:
    with _LOCK:
        _REGISTRY.pop(proc.pid, None)


def running_processes() -> list[ManagedProcess]:
    with _LOCK:
        return list(_REGISTRY.values())


def stop_all(timeout: float = 3.0) -> None:
    """Stop every process this module started and has not stopped yet."""
    for proc in running_processes():
        try:
            proc.stop(timeout)
        except Exception:  # noqa: BLE001 - best effort on the way out
            pass


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    stop_all()
    prev = _PREV_SIGTERM
    if callable(prev):
        prev(signum, frame)
        return
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)  # die the way we would have without this handler


def _install_hooks() -> None:
    global _HOOKS_INSTALLED, _PREV_SIGTERM
    if _HOOKS_INSTALLED:
        return
    _HOOKS_INSTALLED = True
    atexit.register(stop_all)
    if threading.current_thread() is threading.main_thread():
        prev = signal.getsignal(signal.SIGTERM)
        if prev is not signal.SIG_IGN:
            _PREV_SIGTERM = prev
            signal.signal(signal.SIGTERM, _on_sigterm)
