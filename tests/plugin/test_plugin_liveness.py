"""Liveness before blame, and never stale: a DUT that dies mid-run (or right after the start-up probe) ends the
run within 30 s of its death with errors, never fail or warn; the results say the run was aborted and which
tests were not run; SIGTERM writes results marked aborted; a new run never leaves an older run's results."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SUPPORT = Path(__file__).resolve().parents[1] / "support"
T1 = "0.05"  # Timer F = 64*T1 = 3.2 s: a test against a dead DUT waits that long before it is judged

# Each test: one OPTIONS, a plain request (no precondition): a silent DUT would be a FAIL of its clause.
ANSWERED = """
import pytest

@pytest.mark.clause("RFC3261-9.2-10")
@pytest.mark.parametrize("n", range({count}))
def test_options_answered(dut, sip_peer, n):
    req = sip_peer.request("OPTIONS", sip_peer.remote)
    sip_peer.send(req)
    sip_peer.expect_response(req, final=True)
"""


@pytest.fixture
def dying_uas(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, list[str]]]:
    """Start ``dying_uas.py`` with the given arguments (call the fixture's value to start it)."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> tuple[subprocess.Popen[bytes], int]:
        portfile = tmp_path / f"port{len(procs)}"
        proc = subprocess.Popen([sys.executable, str(SUPPORT / "dying_uas.py"), str(portfile), *args])
        procs.append(proc)
        deadline = time.monotonic() + 10
        while not (portfile.exists() and portfile.read_text()):
            assert time.monotonic() < deadline and proc.poll() is None, "the dying UAS did not start"
            time.sleep(0.01)  # test scaffolding only: waiting for a file another process writes
        return proc, int(portfile.read_text())

    yield start  # type: ignore[misc]
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=5)


def _run(pytester: pytest.Pytester, port: int, *extra: str, timeout: float = 120) -> tuple[int, float]:
    started = time.monotonic()
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider", "--sip-dut",
                                           f"udp:127.0.0.1:{port}", "--sip-role", "uas", "--sip-t1", T1,
                                           "--sip-results", "out.json", *extra, timeout=timeout)
    return result.ret, time.monotonic() - started


def _doc(pytester: pytest.Pytester) -> dict[str, object]:
    return dict(json.loads(pytester.path.joinpath("out.json").read_text()))


def _check_aborted(doc: dict[str, object], alive_tests: int) -> None:
    results = doc["results"]
    assert isinstance(results, list)
    verdicts = [r["verdict"] for r in results]
    assert "fail" not in verdicts and "warn" not in verdicts and "inconclusive" not in verdicts
    assert verdicts.count("pass") <= alive_tests
    errors = [r["message"] for r in results if r["verdict"] == "error"]
    assert errors and all("the DUT stopped answering at +" in m for m in errors)
    assert "stopped answering" in str(doc["aborted"]) and "run stopped" in str(doc["aborted"])


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_dut_dying_mid_run_ends_the_run_with_errors(pytester: pytest.Pytester, dying_uas, xdist) -> None:
    proc, port = dying_uas("--max-messages", "11")  # the start-up probe, then 10 tests
    pytester.makepyfile(test_alive=ANSWERED.format(count=40))
    ret, took = _run(pytester, port, *xdist)
    assert proc.wait(timeout=1) == 0
    assert ret != 0
    assert took < 30, f"the run went on {took:.0f} s"  # the ten tests the DUT answered take a second or so
    doc = _doc(pytester)
    _check_aborted(doc, alive_tests=10)
    results = doc["results"]
    assert isinstance(results, list) and len(results) < 40
    assert len(doc["not_run"]) == 40 - len(results)  # type: ignore[arg-type]


def test_dut_dying_right_after_the_start_up_probe(pytester: pytest.Pytester, dying_uas) -> None:
    _, port = dying_uas("--max-messages", "1")
    pytester.makepyfile(test_alive=ANSWERED.format(count=10))
    ret, took = _run(pytester, port)
    assert ret != 0 and took < 30
    doc = _doc(pytester)
    _check_aborted(doc, alive_tests=0)
    assert len(doc["results"]) == 3 and len(doc["not_run"]) == 7  # type: ignore[arg-type]


def test_a_live_dut_that_stays_silent_keeps_its_verdict(pytester: pytest.Pytester, dying_uas) -> None:
    """The probe answers: silence in a test is the DUT's own (here, no answer to a MESSAGE): fail."""
    _, port = dying_uas("--lifetime", "60")
    pytester.makepyfile(test_silent="""
        import pytest

        @pytest.mark.clause("RFC3261-9.2-10")
        def test_message_answered(dut, sip_peer):
            req = sip_peer.request("MESSAGE", sip_peer.remote)
            sip_peer.send(req)
            sip_peer.expect_response(req, final=True)
    """)
    ret, _ = _run(pytester, port)
    assert ret == pytest.ExitCode.TESTS_FAILED
    doc = _doc(pytester)
    assert [r["verdict"] for r in doc["results"]] == ["fail"]  # type: ignore[union-attr]
    assert "aborted" not in doc


SLOW = """
import time
import pytest

@pytest.mark.clause("RFC3261-9.2-10")
@pytest.mark.parametrize("n", range(3))
def test_slow(dut, n):
    if n == 1:
        open("started", "w").close()
        time.sleep(30)  # the run is killed during this sleep
"""


def test_sigterm_writes_results_marked_aborted(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_slow=SLOW)
    out = pytester.path / "out.json"
    out.write_text(json.dumps({"results": [{"nodeid": "stale", "verdict": "pass"}]}))  # an older run's
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider",
                             "--sip-dut", "udp:127.0.0.1:9", "--sip-role", "uas", "--no-sip-probe",
                             "--sip-results", str(out), "test_slow.py"], cwd=pytester.path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not (pytester.path / "started").exists():
            assert time.monotonic() < deadline and proc.poll() is None, proc.stdout and proc.stdout.read()
            time.sleep(0.05)  # test scaffolding: waiting for the inner run to reach its slow test
        running = json.loads(out.read_text())
        assert running["results"] == [] and "not finished" in running["aborted"]  # the stale file is gone
        proc.send_signal(signal.SIGTERM)
        ret = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert ret != 0
    doc = json.loads(out.read_text())
    assert doc["aborted"] == "the run was stopped by SIGTERM: these results are partial"
    assert [r["verdict"] for r in doc["results"]][:1] == ["pass"]
    assert "stale" not in {r["nodeid"] for r in doc["results"]}
