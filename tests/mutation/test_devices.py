"""The faulty devices themselves: serve, stop, refuse an unknown fault, run as a process."""

from __future__ import annotations

import json
import selectors
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from faulty.uas import FaultyUas
from selftest_support import inner_run_env

from sipconform.dut.probe import probe


def test_device_serves_udp_and_tcp_on_one_port_and_stops_within_a_few_t1() -> None:
    device = FaultyUas(None).start()
    try:
        for transport in ("udp", "tcp"):
            answer = probe("127.0.0.1", device.port, transport, 2.0, retry_s=device.timers.t1)
            assert answer is not None and answer.startswith("SIP/2.0 200"), f"OPTIONS over {transport}: {answer!r}"
    finally:
        began = time.monotonic()
        device.stop()
        took = time.monotonic() - began
    assert took < 20 * device.timers.t1, f"stop() took {took:.2f} s"
    assert not device.errors, device.errors
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:  # the port is free again
        sock.bind(("127.0.0.1", device.port))


def test_unknown_fault_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        FaultyUas("no-such-fault")


def test_device_runs_as_a_process_too(tmp_path: Path) -> None:
    """``python -m faulty.uas --fault F --port 0 --profile P``: one JSON line, then serves until SIGTERM."""
    profile = tmp_path / "device.toml"
    proc = subprocess.Popen([sys.executable, "-m", "faulty.uas", "--fault", "no-487", "--port", "0",
                             "--profile", str(profile)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=inner_run_env())
    try:
        assert proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            assert sel.select(20.0), "the device printed nothing within 20 s"
        started = json.loads(proc.stdout.readline())
        assert started["fault"] == "no-487" and started["profile"] == str(profile)
        assert f"port = {started['port']}" in profile.read_text()
        answer = probe("127.0.0.1", started["port"], "tcp", 5.0, retry_s=0.05)
        assert answer is not None and answer.startswith("SIP/2.0 200"), answer
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
