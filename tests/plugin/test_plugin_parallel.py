"""Parallel runs: the same verdicts as a serial run, no warnings, and the default that spreads a conformance
run over the cores (real inner runs against kamailio-uas, from the project's own configuration)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from selftest_support import ROOT, inner_run_env

from sipconform.plugin.parallel import default_workers, longest_first

NEEDS_KAMAILIO = pytest.mark.skipif(shutil.which("kamailio") is None,
                                    reason="kamailio is not installed (run scripts/setup.sh)")

# Six UAS modules, each with waits of its own (quiet windows, Expires, Timer G), fails and passes among them.
MODULES = [f"conformance/uas/{name}.py" for name in (
    "test_rfc3261_9_2_8_invite_487", "test_rfc3261_9_2_10_cancel_answered_200",
    "test_rfc3261_9_2_6_unmatched_cancel_481", "test_rfc3261_13_3_1_1_invite_expires_487",
    "test_rfc3261_17_2_1_2_487_retransmitted", "test_rfc3261_17_2_3_1_branch_matching")]


def inner(tmp_path: Path, label: str, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    results = tmp_path / label / "results.json"
    command = [sys.executable, "-m", "pytest", *MODULES, "--sip-dut", "kamailio-uas", "--sip-results", str(results),
               "--basetemp", str(tmp_path / f"base-{label}"), "-p", "no:randomly", *args]
    proc = subprocess.run(command, cwd=ROOT, env=inner_run_env(), capture_output=True, text=True, timeout=600,
                          check=False)
    assert results.is_file(), proc.stdout[-3000:] + proc.stderr[-2000:]
    doc = json.loads(results.read_text())
    return proc, {r["nodeid"]: r["verdict"] for r in doc["results"]}


@NEEDS_KAMAILIO
def test_parallel_and_serial_runs_give_the_same_verdicts_without_warnings(tmp_path: Path) -> None:
    serial, serial_verdicts = inner(tmp_path, "serial", "-n", "0")
    parallel, parallel_verdicts = inner(tmp_path, "parallel", "-n", "2", "--dist", "worksteal")
    assert len(serial_verdicts) >= 12 and parallel_verdicts == serial_verdicts
    for proc in (serial, parallel):  # a clean run: no Python warning of ours or of the tools the suite loads
        last = proc.stdout.strip().splitlines()[-1]
        assert "warning" not in last and "warnings summary" not in proc.stdout, proc.stdout[-3000:]
        assert "PytestRemovedIn" not in proc.stdout + proc.stderr and "Warning" not in proc.stderr, proc.stderr


@pytest.mark.skipif(default_workers() < 2, reason="one core: nothing to spread")
def test_a_default_conformance_run_is_spread_over_the_cores(pytester: pytest.Pytester) -> None:
    """No -n and no reports location of the user's: one worker per core, worksteal; -n 0 stays serial."""
    pytester.path.joinpath("fake.toml").write_text(
        'name = "fake"\nrole = "uas"\nhost = "127.0.0.1"\nport = 5999\ntransports = ["udp"]\n')
    pytester.makepyfile(**{"conformance/test_x": "import pytest\n\n@pytest.mark.clause('RFC3261-9.2-10')\n"
                                                 "def test_x(dut):\n    pass\n"})
    result = pytester.runpytest_subprocess("conformance", "--sip-dut", "fake.toml", "--no-sip-probe")
    assert result.ret == 0 and f"created: {default_workers()}/{default_workers()} workers" in result.stdout.str()
    assert (pytester.path / "reports" / "latest" / "results.json").is_file()
    serial = pytester.runpytest_subprocess("conformance", "--sip-dut", "fake.toml", "--no-sip-probe", "-n", "0")
    assert serial.ret == 0 and "workers" not in serial.stdout.str()


def test_longest_tests_are_dealt_to_the_head_of_every_workers_chunk() -> None:
    from types import SimpleNamespace

    def item(name: str, hypothesis: bool = False) -> Any:
        return SimpleNamespace(nodeid=name, obj=SimpleNamespace(is_hypothesis_test=hypothesis))

    items = [item("a"), item("b"), item("long1"), item("c"), item("prop", True), item("long2"), item("d")]
    last = {"long1": 60.0, "long2": 30.0, "a": 0.01}
    order = [i.nodeid for i in longest_first(items, last, workers=2)]
    # ranked: long1, long2, a (measured), prop (property-based), b, c, d -> dealt into two chunks
    assert order == ["long1", "a", "b", "d", "long2", "prop", "c"]
    assert [i.nodeid for i in longest_first(items, {}, workers=1)][0] == "prop"
