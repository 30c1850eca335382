"""The reference DUTs run as their software's documentation recommends: a conformance run through a few
modules of every role leaves no configuration warning in any reference DUT's own log (sipconform.dut.logscan),
and the scan does catch the mistake it is there for (a kamailio UAS that releases its ringing INVITE)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from selftest_support import ROOT, inner_run_env

from sipconform.dut import logscan
from sipconform.dut.reference import FIXTURES, start_reference
from sipconform.dut.registry import reference_duts, reference_profile

HAVE_ALL = all(shutil.which(p) for p in ("kamailio", "baresip"))
# Modules that drive every target of each reference DUT: ring (180, CANCEL, 487, ACK), trying, answer, busy,
# a refused sent-by over TCP (RFC 6026 §7.1), forking and CANCEL through the proxies, a CANCEL from the UAC.
MODULES = (
    "conformance/uas/test_rfc3261_17_2_1_2_487_retransmitted.py",
    "conformance/uas/test_rfc3261_17_2_1_4_ack_stops_487.py",
    "conformance/uas/test_rfc3261_9_2_7_cancel_after_final.py",
    "conformance/uas/test_rfc3261_9_2_8_invite_487.py",
    "conformance/uas/test_rfc6026_7_1_2_transport_error_keeps_proceeding.py",
    "conformance/proxy/test_rfc3261_16_10_2_cancel_pending_branches.py",
    "conformance/proxy/test_rfc3261_17_1_1_2_1_ack_for_487_sent.py",
    "conformance/stateless_proxy/test_rfc3261_16_11_1_cancel_same_target.py",
    "conformance/uac/test_rfc3261_17_1_1_2_1_ack_for_487_sent.py",
)


@pytest.mark.skipif(not HAVE_ALL, reason="kamailio and baresip are needed (run scripts/setup.sh)")
def test_reference_run_leaves_no_configuration_warning(tmp_path: Path) -> None:
    names = sorted(reference_duts()[0])
    reports = tmp_path / "reports"
    command = [sys.executable, "-m", "pytest", *MODULES, "--sip-dut", ",".join(names),
               "--sip-results", str(tmp_path / "results.json"), "-o", f"sip_reports={reports}",
               "--basetemp", str(tmp_path / "base"), "-p", "no:allure_pytest", "-p", "no:cacheprovider",
               "-p", "no:randomly", "-n", "2", "-q"]
    proc = subprocess.run(command, cwd=ROOT, env=inner_run_env(), capture_output=True, text=True, timeout=600,
                          check=False)
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
    logs, found = logscan.scan_folder(reports)
    assert {p.name.split(".", 1)[0] for p in logs} == set(names), f"a DUT's log was not kept\n{tail}"
    assert not found, "configuration warnings in the reference DUTs' logs:\n" + "\n".join(map(str, found))
    assert "reference DUT logs: no configuration warning" in proc.stdout, tail
    assert proc.returncode in (0, 1), f"pytest exit status {proc.returncode}\n{tail}"


@pytest.mark.skipif(shutil.which("kamailio") is None, reason="kamailio is not installed (run scripts/setup.sh)")
def test_a_released_ringing_invite_is_found(tmp_path: Path, sipwire) -> None:
    """uas.cfg without its t_suspend(): tm releases the ringing INVITE and says so; the scan reports it."""
    cfg = tmp_path / "released.cfg"
    text = (FIXTURES / "kamailio" / "uas.cfg").read_text(encoding="utf-8")
    assert "\tt_suspend();\n" in text
    cfg.write_text(text.replace("\tt_suspend();\n", ""), encoding="utf-8")
    shutil.copy(FIXTURES / "kamailio" / "transports.inc", tmp_path)  # its include_file, beside it
    with start_reference(reference_profile("kamailio-uas"), tmp_path, transports=("udp",), config=cfg) as dut:
        target = (dut.profile.host, dut.profile.port)
        ep = sipwire.endpoint("udp")
        ruri = f"sip:{dut.profile.targets['ring']}@{target[0]}:{target[1]}"
        ep.send(sipwire.request("INVITE", ruri, ep, cseq=1, **sipwire.ids()), target)
        ep.expect(8 * dut.profile.timers.t1 + 1, "180", lambda m: m.is_response and m.status == 180)
        released = "script writer didn't release transaction"
        assert dut.process.wait_for(lambda: released in dut.log_text(), 8 * dut.profile.timers.t1 + 1)
        found = logscan.scan("kamailio-uas", dut.log_text())
    assert [f.meaning for f in found] == [logscan.scan("kamailio-uas", f" 0(1) INFO: <core> x\n{released}\n")[0]
                                          .meaning], found
