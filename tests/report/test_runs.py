"""One folder per run, aborted runs, baselines against them, and JUnit that tells the six verdicts apart
(pytester runs of a fake DUT; nothing is sent to a device)."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import hypothesis  # noqa: F401  (kept in sys.modules, so in-process pytester runs do not re-import it)
import pytest

from sipconform.report.baseline import main as baseline_main
from sipconform.report.junit import case_key

PROFILE = 'name = "fake"\nrole = "uas"\nhost = "127.0.0.1"\nport = 5999\ntransports = ["udp"]\n'
SIX = """
import pytest
from sipconform.verdict import inconclusive, not_applicable

@pytest.mark.clause("RFC3261-9.2-10")
def test_pass(dut):
    pass

@pytest.mark.clause("RFC3261-9.2-10")
def test_fail(dut):
    assert 200 == 487, "the DUT answered the cancelled INVITE 200"

@pytest.mark.clause("RFC3261-9.2-8")
def test_warn(dut):
    assert False, "no 487 within 64*T1"

@pytest.mark.clause("RFC3261-9.2-10")
def test_inconclusive(dut):
    inconclusive("the DUT answered 200 at once")

@pytest.mark.clause("RFC3261-9.2-10")
def test_not_applicable(dut):
    not_applicable("the profile declares no 100rel")

@pytest.mark.clause("RFC3261-9.2-10")
def test_error(dut):
    raise ValueError("a bug in the suite")
"""
# What pytest's default junit_family (xunit2) schema allows a <testcase> (pytest's testing/example_scripts/
# junit-10.xsd, with pytest's own <error>): children and attributes.
TESTCASE_CHILDREN = {"skipped", "error", "failure", "system-out", "system-err"}
TESTCASE_ATTRIBUTES = {"name", "time", "classname", "group"}


def fake_suite(pytester: pytest.Pytester, source: str = SIX) -> None:
    pytester.path.joinpath("fake.toml").write_text(PROFILE)
    pytester.makepyfile(test_six=source)


def run_folders(pytester: pytest.Pytester) -> list[Path]:
    return sorted(p for p in (pytester.path / "reports").iterdir() if p.is_dir() and not p.is_symlink())


def test_two_runs_leave_two_folders_and_latest_points_at_the_second(pytester: pytest.Pytester) -> None:
    fake_suite(pytester)
    first = pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe", "-p", "no:randomly")
    second = pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe", "-p", "no:randomly")
    assert first.ret == second.ret == pytest.ExitCode.TESTS_FAILED
    folders = run_folders(pytester)
    assert len(folders) == 2 and all(f.name.endswith(("-fake", "-fake-2")) for f in folders)
    latest = pytester.path / "reports" / "latest"
    assert latest.is_symlink() and latest.resolve() == folders[-1].resolve()
    for folder in folders:  # each run's own reports, nothing shared
        assert {"results.json", "junit.xml", "matrix.html"} <= {p.name for p in folder.iterdir()}
        assert len(json.loads((folder / "results.json").read_text())["results"]) == 6
    assert str(folders[-1]) in second.stdout.str()


def test_a_run_aborted_at_the_probe_leaves_only_its_folder_marked_aborted(pytester: pytest.Pytester) -> None:
    fake_suite(pytester)
    pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe")
    good = run_folders(pytester)
    # nothing listens on the discard port: the liveness probe gives up after 8*T1 (clamped to 1 s)
    result = pytester.runpytest("--sip-dut", "udp:127.0.0.1:9", "--sip-role", "uas", "--sip-t1", "0.05")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    folders = run_folders(pytester)
    assert len(folders) == 2 and good[0] in folders
    aborted = next(f for f in folders if f not in good)
    assert (pytester.path / "reports" / "latest").resolve() == aborted.resolve()
    doc = json.loads((aborted / "results.json").read_text())
    assert doc["aborted"] and doc["results"] == []
    assert not (aborted / "junit.xml").exists() and not (aborted / "matrix.html").exists()
    assert (good[0] / "junit.xml").is_file()  # the earlier run is untouched


def test_a_baseline_that_was_aborted_or_empty_is_an_error(pytester: pytest.Pytester) -> None:
    fake_suite(pytester)
    pytester.path.joinpath("aborted.json").write_text(json.dumps(
        {"dut": {}, "results": [], "aborted": "DUT at udp:127.0.0.1:9 did not answer"}))
    pytester.path.joinpath("empty.json").write_text(json.dumps({"dut": {}, "results": []}))
    for name in ("aborted.json", "empty.json"):
        result = pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe", "--sip-baseline", name)
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines([f"*--sip-baseline {name}: *nothing to compare with*"])
    good = pytester.path / "good.json"
    assert pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe", "--sip-results", str(good)).ret == 1
    assert baseline_main([str(good), str(pytester.path / "aborted.json")]) == 2  # the command line too
    assert baseline_main([str(pytester.path / "empty.json"), str(good)]) == 2
    assert baseline_main([str(good), str(good)]) == 0


def test_junit_tells_the_six_verdicts_apart_within_the_xunit2_schema(pytester: pytest.Pytester) -> None:
    fake_suite(pytester)
    result = pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe", "-p", "no:randomly")
    folder = (pytester.path / "reports" / "latest").resolve()
    doc = json.loads((folder / "results.json").read_text())
    root = ET.parse(folder / "junit.xml").getroot()
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    kinds = {}
    for r in doc["results"]:
        case = cases[case_key(r["nodeid"])]
        assert set(case.attrib) <= TESTCASE_ATTRIBUTES and {c.tag for c in case} <= TESTCASE_CHILDREN
        out = case.findtext("system-out", "")
        assert out.splitlines()[0] == f"verdict: {r['verdict']}" and f"clause: {r['clause']}" in out
        element = next((c for c in case if c.tag in ("failure", "error", "skipped")), None)
        kinds[r["verdict"]] = None if element is None else (element.tag, element.get("type"))
        if r["verdict"] == "fail":  # the verdict message, then the wire trace; no Python traceback
            assert element is not None and element.get("message", "").startswith("RFC3261-9.2-10 MUST: ")
            assert (element.text or "").startswith(r["message"]) and "Traceback" not in (element.text or "")
    assert kinds == {"pass": None, "warn": None,
                     "fail": ("failure", "sipconform.fail"), "error": ("failure", "sipconform.error"),
                     "inconclusive": ("skipped", "sipconform.inconclusive"),
                     "not-applicable": ("skipped", "sipconform.not-applicable")}
    suite = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert [suite[f"sipconform.{v}"] for v in ("pass", "fail", "warn", "inconclusive", "not-applicable",
                                                "error")] == ["1"] * 6
    # the console: every fail, warn and error with its clause and reason, no traceback without -v
    result.stdout.fnmatch_lines_random([
        "FAIL *test_fail* [[]RFC3261-9.2-10 MUST[]] - the DUT answered the cancelled INVITE 200",
        "WARN *test_warn* [[]RFC3261-9.2-8 SHOULD[]] - no 487 within 64*T1",
        "ERROR *test_error* [[]RFC3261-9.2-10 MUST[]] - ValueError: a bug in the suite"])
    assert "Traceback" not in result.stdout.str() and "def test_fail" not in result.stdout.str()
    assert "def test_fail" in pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe", "-v").stdout.str()


def test_slow_tests_are_left_out_with_one_line_saying_how_to_run_them(pytester: pytest.Pytester) -> None:
    fake_suite(pytester, SIX.replace('@pytest.mark.clause("RFC3261-9.2-10")\ndef test_pass',
                                     '@pytest.mark.slow\n@pytest.mark.clause("RFC3261-9.2-10")\ndef test_pass'))
    result = pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe")
    result.stdout.fnmatch_lines(["1 slow test(s) left out (*); run them too with --sip-slow, or only them with -m slow"
                                 ])
    assert "test_pass" not in json.dumps(json.loads(
        (pytester.path / "reports" / "latest" / "results.json").read_text()))
    result = pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe", "-m", "slow")
    assert result.parseoutcomes().get("passed") == 1 and "left out" not in result.stdout.str()
    assert pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe", "--sip-slow").parseoutcomes()["passed"] == 1
    named = pytester.runpytest("test_six.py", "--sip-dut", "fake.toml", "--no-sip-probe")  # a module named: all of it
    assert named.parseoutcomes()["passed"] == 1 and "left out" not in named.stdout.str()


def test_each_result_carries_its_duration_and_waited_windows(pytester: pytest.Pytester) -> None:
    fake_suite(pytester, """
import pytest

@pytest.mark.clause("RFC3261-9.2-10")
def test_quiet(sip_peer, sip_timers):
    sip_peer.expect_nothing(2 * sip_timers.t1)
""")
    assert pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe", "--sip-t1", "0.05").ret == 0
    (result,) = json.loads((pytester.path / "reports" / "latest" / "results.json").read_text())["results"]
    assert result["waited"] == pytest.approx(0.1, abs=0.01) and result["duration"] >= result["waited"]


def test_no_run_folder_when_the_user_names_the_reports_directory(pytester: pytest.Pytester) -> None:
    fake_suite(pytester)
    pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe", "--sip-reports", "mine")
    assert (pytester.path / "mine" / "results.json").is_file() and not (pytester.path / "reports").exists()
    assert not os.path.lexists(pytester.path / "mine" / "latest")


def test_a_usage_error_leaves_no_run_folder(pytester: pytest.Pytester) -> None:
    fake_suite(pytester)
    result = pytester.runpytest("--sip-dut", "fake.toml", "--sip-t1", "-1")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert not (pytester.path / "reports").exists() or run_folders(pytester) == []
