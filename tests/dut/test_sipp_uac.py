"""SIPp as a DUT acting as UAC (fixtures/duts/sipp-uac.toml and its TCP twin, scenario
fixtures/sipp/uac-cancel.xml): the whole conformance/uac set runs against it through the exec upper tester,
as a lab would run it, and every test ends in a recorded verdict, none an error of the suite."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from selftest_support import ROOT, collected_over, inner_run_env

PROFILES = ("fixtures/duts/sipp-uac.toml", "fixtures/duts/sipp-uac-tcp.toml")
VERDICTS = {"pass", "fail", "warn", "inconclusive"}
NOT_APPLICABLE = {"RFC3263-4-1"}  # the SIPp profiles say rfc3263 = false: SIPp sends where it is told
RELIABLE_ONLY = {"RFC3261-18.1.1-1", "RFC6026-7.2-2"}  # requires(transport="reliable"): not-applicable on UDP


@pytest.mark.skipif(shutil.which("sipp") is None, reason="sipp is not installed (scripts/setup.sh installs it)")
def test_uac_set_runs_against_sipp(tmp_path: Path) -> None:
    """Every conformance/uac test (the slow 64*T1 one included) against SIPp over UDP and TCP: a verdict
    for each, in results.json, and no error. SIPp is started once per call by the profile's exec upper
    tester, so the run needs --no-sip-probe; the scenario path in the profile is relative to the root."""
    out = tmp_path / "results.json"
    command = [sys.executable, "-m", "pytest", "conformance/uac", "--sip-dut", ",".join(PROFILES),
               "--no-sip-probe", "--sip-slow", "--sip-results", str(out), "-o", f"sip_reports={tmp_path / 'reports'}",
               "-p", "no:allure_pytest", "-p", "no:cacheprovider", "-p", "no:randomly", "-n", "2", "-q", "-rA"]
    env = inner_run_env()
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-60:])
    assert out.is_file(), f"no results.json\n{tail}"
    results = json.loads(out.read_text(encoding="utf-8"))["results"]
    table = "\n".join(f"  {r['verdict']:<13} {r['nodeid']}  {(r.get('message') or '')[:120]!r}" for r in results)
    modules = sorted((ROOT / "conformance" / "uac").glob("test_*.py"))
    for dut, transport in (("sipp-uac", "udp"), ("sipp-uac-tcp", "tcp")):
        seen = {r["nodeid"].split("::")[0].rsplit("/", 1)[-1] for r in results if r["dut"] == dut}
        expected = {p.name for p in modules if collected_over(p, transport)}
        assert seen == expected, (f"{dut}: modules without a verdict: {expected - seen}, "
                                  f"unexpected: {seen - expected}\n{table}")
    wrong = [r for r in results if r["verdict"] not in VERDICTS
             and not (r["verdict"] == "not-applicable" and (r["clause"] in NOT_APPLICABLE or (
                 r["clause"] in RELIABLE_ONLY and r["transport"] == "udp")))]
    assert not wrong, f"an error, or not-applicable where the profile says nothing:\n{table}\n{tail}"
    assert proc.returncode in (0, 1), f"pytest exit status {proc.returncode}\n{tail}"


REINVITE_MODULES = ("conformance/uac/test_rfc3261_12_2_1_1_1_cancel_uses_no_cseq_number.py",
                    "conformance/uac/test_rfc3261_14_1_1_reinvite_487_keeps_session.py")


@pytest.mark.skipif(shutil.which("sipp") is None, reason="sipp is not installed (scripts/setup.sh installs it)")
def test_sipp_cancels_a_reinvite(tmp_path: Path) -> None:
    """fixtures/duts/sipp-uac-reinvite.toml (scenario fixtures/sipp/uac-reinvite.xml): SIPp re-INVITEs in the
    established call, cancels the re-INVITE and hangs up by itself; the two re-INVITE modules pass."""
    out = tmp_path / "results.json"
    command = [sys.executable, "-m", "pytest", *REINVITE_MODULES, "--sip-dut", "fixtures/duts/sipp-uac-reinvite.toml",
               "--no-sip-probe", "--sip-results", str(out), "-o", f"sip_reports={tmp_path / 'reports'}",
               "-p", "no:allure_pytest", "-p", "no:cacheprovider", "-p", "no:randomly", "-q", "-rA"]
    proc = subprocess.run(command, cwd=ROOT, env=inner_run_env(), capture_output=True, text=True, timeout=300,
                          check=False)
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-60:])
    assert out.is_file(), f"no results.json\n{tail}"
    verdicts = {r["clause"]: r["verdict"] for r in json.loads(out.read_text(encoding="utf-8"))["results"]}
    assert verdicts == {"RFC3261-12.2.1.1-1": "pass", "RFC3261-14.1-1": "pass"}, f"{verdicts}\n{tail}"
