"""Verdicts: what a test raises -> verdict -> pytest outcome, status words, summary, exit code,
results.json and JUnit properties."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import hypothesis  # noqa: F401  (kept in sys.modules, so in-process pytester runs do not re-import it)
import pytest

PROFILE = 'name = "fake"\nrole = "uas"\nhost = "127.0.0.1"\nport = 5999\ntransports = ["udp"]\n'

# RFC3261-9.2-10 is MUST level, RFC3261-9.2-8 SHOULD level (catalogue).
VERDICTS = """
import pytest
from sipconform.verdict import Fail, Inconclusive, inconclusive, not_applicable, precondition, warn

MUST, SHOULD = "RFC3261-9.2-10", "RFC3261-9.2-8"

@pytest.mark.clause(MUST)
def test_pass(dut):
    pass

@pytest.mark.clause(MUST)
def test_must_assert(dut):
    assert 200 == 487, "no 487 to the INVITE"

@pytest.mark.clause(SHOULD)
def test_should_assert(dut):
    assert 200 == 487, "no 487 within 64*T1"

@pytest.mark.clause(MUST)
def test_warn_raised(dut):
    warn("487 is RECOMMENDED")

@pytest.mark.clause(SHOULD)
def test_fail_raised(dut):
    raise Fail("a MUST inside a SHOULD clause")

@pytest.mark.clause(MUST)
def test_inconclusive(dut):
    inconclusive("the DUT answered 200 at once")

@pytest.mark.clause(MUST)
def test_precondition(dut):
    with precondition("the DUT rings"):
        raise AssertionError("no 180 within 64*T1")

@pytest.mark.clause(MUST)
def test_not_applicable(dut):
    not_applicable("the profile declares no 100rel")

@pytest.mark.clause(MUST, level="SHOULD")
def test_level_override(dut):
    assert False, "overridden to SHOULD"

@pytest.mark.clause(MUST)
def test_our_bug(dut):
    raise ValueError("a bug in the suite")

@pytest.fixture
def needs_capability():
    not_applicable("the profile lacks rfc6026")

@pytest.mark.clause(MUST)
def test_setup_not_applicable(dut, needs_capability):
    pass

@pytest.fixture
def broken_fixture():
    raise AssertionError("fixture assert")

@pytest.mark.clause(MUST)
def test_setup_error(dut, broken_fixture):
    pass

@pytest.mark.clause(MUST)
def test_skip_is_not_applicable(dut):
    pytest.skip("no such feature")
"""

EXPECTED = {
    "test_pass": "pass", "test_must_assert": "fail", "test_should_assert": "warn", "test_warn_raised": "warn",
    "test_fail_raised": "fail", "test_inconclusive": "inconclusive", "test_precondition": "inconclusive",
    "test_not_applicable": "not-applicable", "test_level_override": "warn", "test_our_bug": "error",
    "test_setup_not_applicable": "not-applicable", "test_setup_error": "error",
    "test_skip_is_not_applicable": "not-applicable",
}


def run(pytester: pytest.Pytester, source: str, *args: str, **kwargs: bool) -> pytest.RunResult:
    pytester.path.joinpath("fake.toml").write_text(PROFILE)
    pytester.makepyfile(test_verdicts=source)
    return pytester.runpytest_inprocess("--sip-dut", "fake.toml", "--no-sip-probe", "-p", "no:randomly", *args,
                                        **kwargs)


def summary_counts(result: pytest.RunResult) -> dict[str, int]:
    """The final summary line, e.g. "1 failed, 2 warn, 1 not-applicable in 0.1s" (with hyphenated words)."""
    line = next(line for line in reversed(result.stdout.lines) if re.search(r" in [\d.]+s", line))
    return {word: int(n) for n, word in re.findall(r"(\d+) ([\w-]+)", line.split(" in ")[0])}


def results_of(pytester: pytest.Pytester, path: str = "reports/latest/results.json") -> dict[str, str]:
    doc = json.loads(pytester.path.joinpath(path).read_text())
    return {r["nodeid"].split("::")[1].split("[")[0]: r["verdict"] for r in doc["results"]}


def test_each_verdict_has_its_word_count_and_results_entry(pytester: pytest.Pytester) -> None:
    result = run(pytester, VERDICTS, "-v", "--junitxml=junit.xml")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines_random([
        "*::test_pass[[]fake-udp[]] PASSED*", "*::test_must_assert[[]fake-udp[]] FAIL *",
        "*::test_should_assert[[]fake-udp[]] WARN*", "*::test_inconclusive[[]fake-udp[]] INCONCLUSIVE*",
        "*::test_not_applicable[[]fake-udp[]] NOT-APPLICABLE*", "*::test_our_bug[[]fake-udp[]] ERROR*",
        "*::test_setup_error[[]fake-udp[]] ERROR*",
    ])
    assert summary_counts(result) == {"failed": 2, "passed": 1, "warn": 3, "inconclusive": 2,
                                      "not-applicable": 3, "errors": 2}
    result.stdout.fnmatch_lines([
        "*= SIP conformance verdicts =*", "1 pass, 2 fail, 3 warn, 2 inconclusive, 3 not-applicable, 2 error",
    ])
    result.stdout.fnmatch_lines_random([
        "WARN *::test_should_assert[[]fake-udp[]] [[]RFC3261-9.2-8 SHOULD[]] - no 487 within 64*T1*",
        "INCONCLUSIVE *::test_precondition* - precondition not reached: the DUT rings: no 180 within 64*T1",
        "NOT-APPLICABLE *::test_setup_not_applicable* - the profile lacks rfc6026",
    ])
    assert results_of(pytester) == EXPECTED
    doc = json.loads(pytester.path.joinpath("reports/latest/results.json").read_text())
    assert doc["dut"] == {"name": "fake", "role": "uas", "host": "127.0.0.1", "port": 5999}
    entry = next(r for r in doc["results"] if "test_should_assert" in r["nodeid"])
    assert entry["clause"] == "RFC3261-9.2-8" and entry["level"] == "SHOULD" and entry["transport"] == "udp"
    assert "no 487 within 64*T1" in entry["message"]
    assert doc["summary"]["warn"] == 3 and doc["strict"] is False
    testcases = ET.parse(pytester.path / "junit.xml").getroot().iter("testcase")
    cases = {str(c.get("name")).split("[")[0]: c for c in testcases}
    assert not [c for c in cases.values() if c.find("properties") is not None]  # xunit2: suite properties only
    props = {n: dict(line.split(": ", 1) for line in c.findtext("system-out", "").splitlines() if ": " in line)
             for n, c in cases.items()}
    assert {n: p["verdict"] for n, p in props.items()} == EXPECTED
    assert props["test_should_assert"]["clause"] == "RFC3261-9.2-8"
    assert props["test_should_assert"]["level"] == "SHOULD"
    # traceability: the clause's section, sentence and RFC link, and the bug report it guards against
    trace = props["test_should_assert"]
    assert trace["section"].startswith("RFC 3261 §9.2") and "487" in trace["requirement"]
    assert trace["rfc_url"] == "https://www.rfc-editor.org/rfc/rfc3261#section-9.2"
    assert "github.com/livekit/sip/issues/371" in trace["bug_pattern"]
    assert cases["test_inconclusive"].find("skipped") is not None
    assert cases["test_should_assert"].find("failure") is None


def test_warnings_alone_exit_zero_and_fail_under_strict(pytester: pytest.Pytester) -> None:
    source = """
        import pytest
        from sipconform.verdict import warn

        @pytest.mark.clause("RFC3261-9.2-8")
        def test_should(dut):
            assert False, "no 487"

        @pytest.mark.clause("RFC3261-9.2-10")
        def test_warned(dut):
            warn("soft")

        @pytest.mark.clause("RFC3261-9.2-10")
        def test_ok(dut):
            pass
    """
    relaxed = run(pytester, source)
    assert relaxed.ret == pytest.ExitCode.OK
    assert summary_counts(relaxed) == {"passed": 1, "warn": 2}
    strict = run(pytester, source, "--sip-strict")
    assert strict.ret == pytest.ExitCode.TESTS_FAILED
    assert summary_counts(strict) == {"failed": 2, "passed": 1}
    doc = json.loads(pytester.path.joinpath("reports/latest/results.json").read_text())
    assert doc["strict"] is True
    assert {r["verdict"] for r in doc["results"] if "test_ok" not in r["nodeid"]} == {"fail"}
    assert any("a fail under --sip-strict" in r["message"] for r in doc["results"])
    pytester.makeini("[pytest]\nsip_strict = true\n")
    assert run(pytester, source).ret == pytest.ExitCode.TESTS_FAILED


def test_only_skipped_verdicts_exit_zero_and_are_not_passes(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        import pytest
        from sipconform.verdict import inconclusive

        @pytest.mark.clause("RFC3261-9.2-10")
        def test_it(dut):
            inconclusive("the DUT answered 200 at once")
    """, "-rA")
    assert result.ret == pytest.ExitCode.OK
    assert summary_counts(result) == {"inconclusive": 1}
    assert results_of(pytester) == {"test_it": "inconclusive"}


def test_results_path_option(pytester: pytest.Pytester) -> None:
    run(pytester, VERDICTS, "--sip-results", "out/verdicts.json")
    assert results_of(pytester, "out/verdicts.json") == EXPECTED
    assert not pytester.path.joinpath("reports").exists()


def test_outcomes_outside_conformance_tests(pytester: pytest.Pytester) -> None:
    """Without a clause marker pytest's semantics stay, but the typed outcomes still map."""
    result = run(pytester, """
        from sipconform.verdict import inconclusive

        def test_plain_bug():
            raise ValueError("plain")

        def test_plain_inconclusive():
            inconclusive("helper said so")
    """)
    assert summary_counts(result) == {"failed": 1, "inconclusive": 1}
    assert json.loads(pytester.path.joinpath("reports/latest/results.json").read_text())["results"] == []


def test_interrupted_run_marks_its_results_partial(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        import pytest

        @pytest.mark.clause("RFC3261-9.2-10")
        def test_first(dut):
            pass

        @pytest.mark.clause("RFC3261-9.2-10")
        def test_interrupted(dut):
            raise KeyboardInterrupt
    """, no_reraise_ctrlc=True)  # the inner run's Ctrl-C must not stop this session
    assert result.ret == pytest.ExitCode.INTERRUPTED
    doc = json.loads(pytester.path.joinpath("reports/latest/results.json").read_text())
    assert [r["verdict"] for r in doc["results"]] == ["pass"]
    assert "partial" in doc["aborted"]
