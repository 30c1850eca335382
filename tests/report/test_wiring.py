"""The plugin's report wiring, end to end with pytester (no DUT: two peers of one test talk to each other)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import hypothesis  # noqa: F401  (kept in sys.modules, so in-process pytester runs do not re-import it)
import pytest

PROFILE = 'name = "fake"\nrole = "uas"\nhost = "127.0.0.1"\nport = 5999\ntransports = ["udp", "tcp"]\n'
TESTS = """
import pytest

OPTIONS = (b"OPTIONS sip:b@127.0.0.1 SIP/2.0\\r\\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx1\\r\\n"
           b"From: <sip:a@127.0.0.1>;tag=1\\r\\nTo: <sip:b@127.0.0.1>\\r\\nCall-ID: wiring-test\\r\\n"
           b"CSeq: 1 OPTIONS\\r\\nMax-Forwards: 70\\r\\nContent-Length: 0\\r\\n\\r\\n")

@pytest.mark.clause("RFC3261-9.2-10")
def test_must(sip_peer, sip_peer_factory):
    with sip_peer_factory(name="downstream") as other:
        sip_peer.send(OPTIONS, to=other.address)
        other.respond(other.expect_request("OPTIONS"), 200)
        sip_peer.expect_response(status=200)
    assert {FAIL_MUST}, "the DUT did something wrong"

@pytest.mark.clause("RFC3261-9.2-8")
def test_should(sip_peer):
    assert False, "no 487"
"""


def setup_suite(pytester: pytest.Pytester, fail_must: bool = False, where: str = "test_wiring_suite.py") -> None:
    pytester.path.joinpath("fake.toml").write_text(PROFILE)
    path = pytester.path / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TESTS.replace("{FAIL_MUST}", "False" if fail_must else "True"))


def test_a_conformance_run_leaves_every_report_by_default(pytester: pytest.Pytester) -> None:
    setup_suite(pytester)
    result = pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe")
    assert result.parseoutcomes() == {"passed": 2, "warn": 2} and result.ret == 0
    reports = (pytester.path / "reports" / "latest").resolve()
    result.stdout.fnmatch_lines(["*SIP conformance reports*", f"matrix: {reports / 'matrix.html'}",
                                 f"allure: {reports / 'allure-results'}*"])
    doc = json.loads((reports / "results.json").read_text())
    assert len(doc["results"]) == 4
    for r in doc["results"]:
        for kind, ext in (("ladder", ".svg"), ("trace", ".txt"), ("pcap", ".pcap")):
            assert r["evidence"][kind].endswith(ext) and (reports / r["evidence"][kind]).is_file()
    ladder = reports / doc["results"][0]["evidence"]["ladder"]
    assert "OPTIONS sip:b@127.0.0.1 SIP/2.0" in ladder.read_text()
    junit = ET.parse(reports / "junit.xml").getroot()  # xunit2: no per-test properties; verdicts in system-out
    assert not [c for c in junit.iter("testcase") if c.find("properties") is not None]
    suite = {p.get("name"): p.get("value") for p in junit.iter("property")}
    assert suite["sipconform.warn"] == "2" and suite["sipconform.pass"] == "2"
    assert sorted(c.findtext("system-out", "").splitlines()[0] for c in junit.iter("testcase")) == [
        "verdict: pass", "verdict: pass", "verdict: warn", "verdict: warn"]
    allure = reports / "allure-results"
    env = (allure / "environment.properties").read_text()
    assert "DUT.fake.role=uas" in env and "DUT.fake.address=127.0.0.1\\:5999" not in env
    assert "DUT.fake.address=127.0.0.1:5999" in env and "DUT.fake.transports=udp,tcp" in env
    results = [json.loads(p.read_text()) for p in allure.glob("*-result.json")]
    must = next(r for r in results if r["name"] == "test_must[fake-udp]")
    labels = {(lab["name"], lab["value"]) for lab in must["labels"]}
    assert {("epic", "RFC 3261"), ("feature", "§9.2"), ("story", "RFC3261-9.2-10"), ("severity", "critical"),
            ("tag", "role:uas"), ("tag", "transport:udp"), ("tag", "dut:fake")} <= labels
    assert must["links"][0]["url"] == "https://www.rfc-editor.org/rfc/rfc3261#section-9.2"
    assert {a["name"] for a in must["attachments"]} == {"SIP wire trace", "SIP ladder diagram"}
    assert must["description"].startswith("RFC 3261 §9.2") and "200" in must["description"]
    should = next(r for r in results if r["name"] == "test_should[fake-tcp]")
    assert ("severity", "normal") in {(lab["name"], lab["value"]) for lab in should["labels"]}
    # RFC3261-9.2-8 guards against a known bug: an "issue" link names it
    assert {(link["type"], link["url"]) for link in should["links"]} >= {
        ("issue", "https://github.com/livekit/sip/issues/371")}
    assert "<table" in (reports / "matrix.html").read_text()


def test_reports_dir_option_and_explicit_junit_kept(pytester: pytest.Pytester) -> None:
    setup_suite(pytester)
    result = pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe", "--sip-reports", "out",
                                "--junitxml", "mine.xml")
    assert result.ret == 0
    assert (pytester.path / "mine.xml").is_file() and not (pytester.path / "out" / "junit.xml").exists()
    assert (pytester.path / "out" / "results.json").is_file() and (pytester.path / "out" / "matrix.html").is_file()
    assert any((pytester.path / "out" / "pcap").glob("*.pcap"))
    assert not (pytester.path / "reports").exists()


def test_plain_test_runs_leave_no_reports(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    pytester.runpytest().assert_outcomes(passed=1)
    assert not (pytester.path / "reports").exists()


def test_a_path_under_conformance_is_a_conformance_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(**{"conformance/test_x": "import pytest\n\n@pytest.mark.clause('RFC3261-9.2-10')\n"
                                                 "def test_x():\n    pass\n"})
    result = pytester.runpytest("conformance")
    result.assert_outcomes(passed=1)
    assert (pytester.path / "reports" / "latest" / "junit.xml").is_file()
    assert (pytester.path / "reports" / "latest" / "allure-results").is_dir()


def test_markers_select_by_level_role_and_transport(pytester: pytest.Pytester) -> None:
    setup_suite(pytester)
    base = ("--sip-dut", "fake.toml", "--no-sip-probe", "--strict-markers", "--collect-only", "-q")
    out = pytester.runpytest(*base, "-m", "must").stdout.str()
    assert "test_must[fake-udp]" in out and "test_must[fake-tcp]" in out and "test_should" not in out
    out = pytester.runpytest(*base, "-m", "should and tcp and uas").stdout.str()
    assert "test_should[fake-tcp]" in out and "fake-udp" not in out and "test_must" not in out
    assert "test_must" not in pytester.runpytest(*base, "-m", "proxy or uac").stdout.str()


def test_list_clauses_prints_clause_to_tests_and_runs_nothing(pytester: pytest.Pytester) -> None:
    setup_suite(pytester)
    result = pytester.runpytest("--sip-dut", "fake.toml", "--sip-list-clauses")  # no probe of the fake DUT
    result.stdout.fnmatch_lines([
        "RFC3261-9.2-8 SHOULD §9.2 (uas): 2 test(s)", "    test_wiring_suite.py::test_should[[]fake-udp[]]",
        "*", "RFC3261-9.2-10 MUST §9.2 (uas): 2 test(s)", "*", "*", "2 clause(s), 4 test(s)"])
    assert "passed" not in result.stdout.str() and result.ret == 0
    assert not (pytester.path / "reports" / "results.json").exists()


def test_baseline_regression_is_reported_and_fails_the_run(pytester: pytest.Pytester) -> None:
    setup_suite(pytester)
    assert pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe", "--sip-results", "old.json").ret == 0
    setup_suite(pytester, fail_must=True)
    result = pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe", "--sip-baseline", "old.json")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["baseline: 2 regression(s), 0 fixed, 0 other change(s)*",
                                 "changed clauses: RFC3261-9.2-10",
                                 "REGRESSION RFC3261-9.2-10 fake/udp *: pass -> fail*"])
    diff = json.loads((pytester.path / "reports" / "latest" / "baseline-diff.json").read_text())
    assert diff["changed_clauses"] == ["RFC3261-9.2-10"] and diff["regressed"]


def test_missing_baseline_is_a_usage_error(pytester: pytest.Pytester) -> None:
    setup_suite(pytester)
    result = pytester.runpytest("--sip-dut", "fake.toml", "--sip-baseline", "nope.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--sip-baseline nope.json: no such results file*"])


def test_xdist_workers_write_evidence_and_the_controller_the_matrix(pytester: pytest.Pytester) -> None:
    setup_suite(pytester)
    result = pytester.runpytest_subprocess("--sip-dut", "fake.toml", "--no-sip-probe", "-n", "2",
                                           "-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()
    reports = pytester.path / "reports" / "latest"
    doc = json.loads((reports / "results.json").read_text())
    assert len(doc["results"]) == 4 and all((reports / r["evidence"]["pcap"]).is_file() for r in doc["results"])
    assert len(list((reports / "allure-results").glob("*-result.json"))) == 4
    assert (reports / "allure-results" / "environment.properties").is_file()
    assert (reports / "matrix.html").is_file() and (reports / "junit.xml").is_file()
