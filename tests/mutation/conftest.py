"""Fixtures of the faulty-DUT mutation tests: the device of ``tests/faulty/uas/`` and a runner that
points a real ``pytest conformance/uas/...`` run (a subprocess, as a lab would run it) at it.

The device runs in a thread of this process (its own Reactor, port 0 for UDP and TCP), so an xdist
worker only ever talks to the devices it started itself. Every wait is bounded: the device thread
looks at its stop flag every T1, the subprocess has a timeout.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from selftest_support import ROOT, inner_run_env, load_package

DEVICE_DIR = ROOT / "tests" / "faulty" / "uas"
RUN_TIMEOUT_S = 150.0  # one subprocess run; the slowest (the whole UAS directory) takes ~10 s
# The inner run is ``pytest.main`` behind a Hypothesis profile without the shrink and explain phases: a
# property module (RFC3261-9.2-1) failing against a faulty device would otherwise spend a minute making
# its counterexample minimal, and a self-test wants the verdict, not the smallest example.
_BOOT = ("import sys, pytest; from hypothesis import Phase, settings; "
         "settings.register_profile('sipconform-mutation', phases=[Phase.explicit, Phase.reuse, Phase.generate]); "
         "sys.exit(pytest.main(sys.argv[1:]))")


def load_device_module() -> ModuleType:
    """The package ``tests/faulty/uas/`` as a module."""
    return load_package(DEVICE_DIR, "sipconform_selftest_faulty_uas")


@dataclass
class Run:
    """One inner pytest run against one device: its results.json entries, output and the device."""

    device: Any
    transport: str
    command: list[str]
    returncode: int | None
    output: str
    document: dict[str, Any] = field(default_factory=dict)

    @property
    def results(self) -> list[dict[str, Any]]:
        return list(self.document.get("results", []))

    def describe(self, results: Sequence[dict[str, Any]] | None = None) -> str:
        lines = [f"  {r['verdict']:<14} {r['nodeid']}  [{r['clause']}] {(r.get('message') or '').splitlines()[0:1]}"
                 for r in (self.results if results is None else results)]
        return "\n".join(lines) or "  (no results)"

    def diagnostics(self, *, trace: bool = True) -> str:
        """What to show when an expectation about this run fails: command, output tail, device state."""
        shown = ["python", "-m", "pytest", *self.command[3:]]  # what a person would type, without the boot code
        parts = [f"command: {' '.join(shown)}", f"exit status: {self.returncode}",
                 "output (tail):\n" + "\n".join(self.output.splitlines()[-40:])]
        if self.device.errors:
            parts.append("device errors:\n" + "\n".join(self.device.errors))
        if self.device.peer_errors:
            parts.append("raised by the device's SipPeer machinery:\n" + "\n".join(self.device.peer_errors))
        if trace:
            text = self.device.trace()
            parts.append("device wire trace (tail):\n" + "\n".join(text.splitlines()[-60:]))
        return "\n\n".join(parts)


@pytest.fixture(scope="session")
def faulty() -> ModuleType:
    """The device module (``FaultyUas``, ``FAULTS``)."""
    return load_device_module()


@pytest.fixture
def run_against(tmp_path: Path, faulty: ModuleType) -> Iterator[Callable[..., Run]]:
    """``run_against(fault, modules, transport="udp", stateless=False)``: start the device (None: conformant), run
    ``pytest <modules> --sip-dut <its profile> --sip-transport <transport>`` against it, stop it; return
    the ``Run``. Devices still running when the test ends are stopped."""
    started: list[Any] = []

    def run(fault: str | None, modules: Sequence[Path], transport: str = "udp", *extra: str,
            stateless: bool = False) -> Run:
        device = faulty.FaultyUas(fault, stateless=stateless)
        started.append(device)
        device.start()
        label = f"{device.name}-{transport}"
        profile = device.write_profile(tmp_path / f"{label}.toml")
        out = tmp_path / f"results-{label}.json"
        command = [sys.executable, "-c", _BOOT, *(str(m.relative_to(ROOT)) for m in modules),
                   "--hypothesis-profile", "sipconform-mutation",
                   "--sip-dut", str(profile), "--sip-results", str(out), "--sip-transport", transport,
                   # every report of the inner run into tmp_path, never into the tree's reports/ (ini key
                   # rather than --sip-reports: an unknown ini key is only a warning); no Allure, for speed
                   "-o", f"sip_reports={tmp_path / ('reports-' + label)}", "-p", "no:allure_pytest",
                   "-p", "no:cacheprovider", "-q", "-rA", "--no-header", *extra]
        env = inner_run_env()
        try:
            proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                                  timeout=RUN_TIMEOUT_S, check=False)
            returncode, output = proc.returncode, proc.stdout + proc.stderr
        except subprocess.TimeoutExpired as exc:
            returncode = None
            output = f"TIMEOUT after {RUN_TIMEOUT_S} s\n" + _text(exc.stdout) + _text(exc.stderr)
        finally:
            device.stop()
        result = Run(device, transport, command, returncode, output)
        if out.is_file():
            result.document = json.loads(out.read_text(encoding="utf-8"))
        return result

    yield run
    for device in started:
        device.stop()


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", "replace")
