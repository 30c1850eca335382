"""Upper testers: how the suite makes a DUT acting as UAC place a call and hang up, and, where the device
allows it, send a re-INVITE in the established call and cancel that re-INVITE; and a DUT acting as UAS
reject the incoming call that rings (the callee hangs up before answering).

``exec`` runs argv templates without a shell; ``baresip`` drives baresip's ctrl_tcp interface;
``manual`` tells the operator what to do and lets the peer wait for the DUT's INVITE with a deadline;
``none`` makes every test that needs one inconclusive, never passed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Callable, Protocol

from sipconform.dut.profile import UpperTesterSpec

__all__ = ["CallTarget", "UpperTester", "UpperTesterError", "UpperTesterMissing", "make_upper_tester"]


class UpperTesterError(RuntimeError):
    """The upper tester failed to act (command missing, exited non-zero, control connection refused)."""


class UpperTesterMissing(UpperTesterError):
    """The profile names no way to make the DUT act; tests that need one are inconclusive."""


class CallTarget(Protocol):
    """Where the DUT is to call: the peer's URI and address."""

    uri: str
    host: str
    port: int
    transport: str


class UpperTester(Protocol):
    def call(self, target: CallTarget) -> None: ...
    def hang_up(self) -> None: ...
    def reinvite(self) -> None: ...
    def cancel(self) -> None: ...
    def reject(self) -> None: ...
    def close(self) -> None: ...


def _fill(argv: tuple[str, ...], target: CallTarget | None) -> list[str]:
    """Fill ``{uri} {host} {port} {transport}`` (of the call placed; nothing without one); every other
    character is passed literally."""
    if target is None:
        return list(argv)
    values = {"uri": target.uri, "host": target.host, "port": str(target.port), "transport": target.transport}
    out = []
    for arg in argv:
        for key, value in values.items():
            arg = arg.replace("{" + key + "}", value)
        out.append(arg)
    return out


class ExecUpperTester:
    """Runs ``call`` (left running: a dialler may live as long as the call) and ``hangup`` (waited for,
    bounded). Both run without a shell; output goes to a log in ``workdir``."""

    def __init__(self, spec: UpperTesterSpec, workdir: Path, timeout: float) -> None:
        self.spec = spec
        self.workdir = workdir
        self.timeout = timeout
        self._calls: list[subprocess.Popen[bytes]] = []
        self._target: CallTarget | None = None
        self.log_path = workdir / "upper-tester.log"

    def _start(self, argv: list[str]) -> subprocess.Popen[bytes]:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"$ {argv!r}\n".encode())
            try:
                return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
            except OSError as exc:
                raise UpperTesterError(f"upper tester cannot run {argv[0]!r}: {exc.strerror}") from None

    def call(self, target: CallTarget) -> None:
        self._target = target
        self._calls.append(self._start(_fill(self.spec.call, target)))

    def hang_up(self) -> None:
        if not self.spec.hangup or self._target is None:
            return  # without a hangup command the DUT is expected to hang up by itself
        self._act("hangup", self.spec.hangup)

    def reinvite(self) -> None:
        self._act("reinvite", self.spec.reinvite)

    def cancel(self) -> None:
        self._act("cancel", self.spec.cancel)

    def reject(self) -> None:
        """The DUT is the callee: no call of its own placed before (placeholders stay as written)."""
        self._act("reject", self.spec.reject, after_call=False)

    def _act(self, key: str, argv: tuple[str, ...], *, after_call: bool = True) -> None:
        """Run the ``key`` command of the profile (waited for, bounded)."""
        if not argv or (after_call and self._target is None):
            raise UpperTesterMissing(f"the profile's [upper_tester] has no '{key}' command" if not argv
                                     else f"no call placed before the '{key}' command")
        proc = self._start(_fill(argv, self._target))
        try:
            code = proc.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise UpperTesterError(f"{key} command did not finish within {self.timeout:.1f} s") from None
        if code != 0:
            raise UpperTesterError(f"{key} command exited with status {code}; see {self.log_path}")

    def wait_calls(self, timeout: float) -> bool:
        """Wait (bounded) until every call process has exited; True if they all did."""
        try:
            for proc in self._calls:
                proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def close(self) -> None:
        for proc in self._calls:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=self.timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self._calls.clear()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def baresip_dial_uri(uri: str) -> str:
    """baresip 1.0's ``dial`` puts ``sip:`` before any URI not starting with it (``sip:sips:...``): a ``sips:``
    target is dialled as ``sip:...;transport=tls``, which it sends over TLS (RFC 3261 §19.1.2)."""
    if not uri.startswith("sips:"):
        return uri
    return f"sip:{uri[5:]}" + ("" if ";transport=" in uri else ";transport=tls")


class BaresipUpperTester:
    """Drives a baresip UA over its ctrl_tcp interface (``dial``, ``hangup``; ``hangup`` of a call that
    rings in rejects it: baresip 1.0 answers the INVITE 486)."""

    def __init__(self, spec: UpperTesterSpec, timeout: float) -> None:
        from sipconform.dut.baresip_ctrl import BaresipControl

        if not spec.control:
            raise UpperTesterMissing("upper_tester.kind = 'baresip' needs control = 'HOST:PORT'")
        host, _, port = spec.control.rpartition(":")
        self._control = BaresipControl(host, int(port), timeout=timeout)

    def call(self, target: CallTarget) -> None:
        self._control.dial(baresip_dial_uri(target.uri))

    def hang_up(self) -> None:
        self._control.hangup()

    def reinvite(self) -> None:
        raise UpperTesterMissing("baresip's ctrl interface has no command to cancel a pending re-INVITE")

    def cancel(self) -> None:
        self.reinvite()

    def reject(self) -> None:
        self._control.hangup()

    def close(self) -> None:
        self._control.close()


class ManualUpperTester:
    """Tells the operator exactly what to do; the test then waits for the DUT with a deadline."""

    def __init__(self, notify: Callable[[str], None]) -> None:
        self.notify = notify

    def call(self, target: CallTarget) -> None:
        self.notify(f"ACTION: make the DUT call {target.uri} (over {target.transport.upper()}) and let it ring")

    def hang_up(self) -> None:
        self.notify("ACTION: hang up the call on the DUT now (a ringing one before it is answered)")

    def reinvite(self) -> None:
        self.notify("ACTION: make the DUT send a re-INVITE in the established call (e.g. put it on hold)")

    def cancel(self) -> None:
        self.notify("ACTION: make the DUT cancel its pending re-INVITE now (before it is answered)")

    def reject(self) -> None:
        self.notify("ACTION: reject the incoming call ringing on the DUT now (decline it, do not answer it)")

    def close(self) -> None:
        return None


class NoUpperTester:
    """No way to make the DUT act: every test that needs one is inconclusive."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def call(self, target: CallTarget) -> None:
        raise UpperTesterMissing(self.reason)

    def hang_up(self) -> None:
        raise UpperTesterMissing(self.reason)

    def reinvite(self) -> None:
        raise UpperTesterMissing(self.reason)

    def cancel(self) -> None:
        raise UpperTesterMissing(self.reason)

    def reject(self) -> None:
        raise UpperTesterMissing(self.reason)

    def close(self) -> None:
        return None


def make_upper_tester(spec: UpperTesterSpec, *, workdir: Path, timeout: float,
                      notify: Callable[[str], None]) -> UpperTester:
    """The upper tester a profile's ``[upper_tester]`` describes."""
    if spec.kind == "exec":
        return ExecUpperTester(spec, workdir, timeout)
    if spec.kind == "baresip":
        return BaresipUpperTester(spec, timeout)
    if spec.kind == "manual":
        return ManualUpperTester(notify)
    return NoUpperTester("the DUT profile has no [upper_tester]: the suite cannot make the DUT place, end or "
                         "reject a call")
