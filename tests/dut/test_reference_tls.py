"""The reference DUTs over TLS, WS and WSS, on IPv4 and IPv6, and what a certificate the suite does not trust
does to a run (RFC 3261 §26.2, §26.3.1; RFC 7118): it stops before the first test, in under 5 s, with one line
naming the side, the name and the reason; the same DUT with ``verify = false`` in its profile runs. A
conformance run's TLS pcap shows the SIP messages to ``tshark -r``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from selftest_support import ROOT, inner_run_env

from sipconform.dut.reference import start_reference
from sipconform.dut.registry import reference_profile
from sipconform.peer.certs import ThrowawayPki

pytestmark = pytest.mark.skipif(shutil.which("kamailio") is None,
                                reason="kamailio is not installed (run scripts/setup.sh)")

UAS_MODULE = "conformance/uas/test_rfc3261_9_2_8_invite_487.py"
RELIABLE_MODULE = "conformance/uas/test_rfc3261_18_2_2_1_tcp_response_on_request_connection.py"
PROXY_MODULE = "conformance/proxy/test_rfc3261_16_10_2_cancel_pending_branches.py"


def _run(tmp_path: Path, *args: str, timeout: float = 300) -> tuple[subprocess.CompletedProcess[str], float]:
    command = [sys.executable, "-m", "pytest", *args, "--sip-reports", str(tmp_path / "reports"),
               "--basetemp", str(tmp_path / "base"), "-p", "no:allure_pytest", "-p", "no:cacheprovider",
               "-p", "no:randomly", "-q"]
    start = time.monotonic()
    proc = subprocess.run(command, cwd=ROOT, env=inner_run_env(), capture_output=True, text=True,
                          timeout=timeout, check=False)
    return proc, time.monotonic() - start


def _verdicts(tmp_path: Path) -> dict[str, str]:
    doc = json.loads((tmp_path / "reports" / "results.json").read_text(encoding="utf-8"))
    return {r["nodeid"].split("::")[-1]: r["verdict"] for r in doc["results"]}


def _external_profile(path: Path, port: int, tls_port: int, ca: Path, verify: bool) -> Path:
    """kamailio-uas seen as an external TLS DUT whose CA is ``ca``."""
    path.write_text(
        f'name = "tls-uas"\nrole = "uas"\nhost = "127.0.0.1"\nport = {port}\ntransports = ["tls"]\n'
        f'[ports]\ntls = {tls_port}\n[timers]\nt1 = 0.1\nt2 = 0.4\n[tls]\nca = "{ca}"\n'
        f'verify = {str(verify).lower()}\n[targets]\ntrying = "trying"\n', encoding="utf-8")
    return path


def test_untrusted_certificate_stops_the_run_verify_false_runs(tmp_path: Path) -> None:
    profile = replace(reference_profile("kamailio-uas"), host6=None)
    stranger = ThrowawayPki("a CA the suite was not given").write(tmp_path / "stranger", "localhost")
    with start_reference(profile, tmp_path / "dut", transports=("tls",)) as dut:
        port, tls_port = dut.profile.port, dut.profile.port_for("tls")
        untrusted = _external_profile(tmp_path / "untrusted.toml", port, tls_port, stranger.ca, verify=True)
        proc, took = _run(tmp_path / "a", UAS_MODULE, "--sip-dut", str(untrusted))
        out = proc.stdout + proc.stderr
        assert proc.returncode == pytest.ExitCode.INTERRUPTED, out
        said = {line.split("sipconform: ", 1)[1].strip(" !") for line in out.splitlines() if "sipconform: DUT" in line}
        assert len(said) == 1, out  # one line (pytest shows an exit's message in its banner and on stderr)
        line = said.pop()
        assert line.startswith(f"DUT tls-uas at tls:127.0.0.1:{tls_port}: TLS handshake as client"), line
        assert "as client" in line and "certificate verify failed" in line, line  # which side, why
        assert "'127.0.0.1'" in line, line  # which name
        assert took < 5.0, f"the run took {took:.1f} s to stop"
        assert "passed" not in out and " pass," not in out

        trusting = _external_profile(tmp_path / "trusting.toml", port, tls_port, stranger.ca, verify=False)
        proc, _ = _run(tmp_path / "b", UAS_MODULE, "--sip-dut", str(trusting))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        verdicts = _verdicts(tmp_path / "b")
        assert verdicts and set(verdicts.values()) == {"pass"}, verdicts
        assert all("tls-uas-tls" in nodeid for nodeid in verdicts)


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed (run scripts/setup.sh)")
def test_reference_run_over_tls_ws_wss_on_ipv4_and_ipv6(tmp_path: Path) -> None:
    proc, _ = _run(tmp_path, UAS_MODULE, RELIABLE_MODULE, PROXY_MODULE, "--sip-dut", "kamailio-uas,kamailio-proxy",
                   "--sip-transport", "tls,ws,wss", "-n", "2", timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode in (0, 1), out
    verdicts = _verdicts(tmp_path)
    for name in ("kamailio-uas", "kamailio-proxy"):
        for transport in ("tls", "ws", "wss"):
            for family in ("", "-ipv6"):
                ran = {n: v for n, v in verdicts.items() if f"[{name}-{transport}{family}" in n}
                assert ran, f"nothing ran on {name} over {transport}{family or ' (IPv4)'}: {sorted(verdicts)}"
                assert "error" not in ran.values(), ran
    uas = {n: v for n, v in verdicts.items() if "kamailio-uas" in n}
    assert set(uas.values()) == {"pass"}, uas
    assert (tmp_path / "reports" / "sslkeylog.txt").read_text(encoding="ascii").count("CLIENT_") > 0

    pcap = next((tmp_path / "reports" / "pcap").glob("*test_cancelled_invite_gets_487_kamailio-uas-tls-after-18x.pcap"))
    shown = subprocess.run(["tshark", "-r", str(pcap), "-Y", "sip"], capture_output=True, text=True, timeout=60,
                           check=False).stdout
    for text in ("INVITE sips:", "180 Ringing", "CANCEL sips:", "Status: 487", "ACK sips:"):
        assert text in shown, f"tshark -r {pcap.name} does not show {text!r}:\n{shown}"
