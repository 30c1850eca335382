"""Whole runs: wire trace in the report, xdist, an unreachable external DUT, a reference DUT that
does not start, Allure attachment."""

from __future__ import annotations

import json
import time

import hypothesis  # noqa: F401  (kept in sys.modules, so in-process pytester runs do not re-import it)
import pytest

PROFILE = 'name = "fake"\nrole = "uas"\nhost = "127.0.0.1"\nport = 5999\ntransports = ["udp", "tcp"]\n'

# Two peers of one test talk to each other over loopback (no DUT needed): the trace must show both.
TRACE = """
import pytest

OPTIONS = (b"OPTIONS sip:b@127.0.0.1 SIP/2.0\\r\\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx1\\r\\n"
           b"From: <sip:a@127.0.0.1>;tag=1\\r\\nTo: <sip:b@127.0.0.1>\\r\\nCall-ID: trace-test\\r\\n"
           b"CSeq: 1 OPTIONS\\r\\nMax-Forwards: 70\\r\\nContent-Length: 0\\r\\n\\r\\n")

@pytest.mark.clause("RFC3261-9.2-10")
@pytest.mark.transport("udp")
def test_two_peers(sip_peer, sip_peer_factory):
    with sip_peer_factory(name="downstream") as other:
        sip_peer.send(OPTIONS, to=other.address)
        other.expect_request("OPTIONS")
    assert sip_peer.remote == ("127.0.0.1", 5999)
    assert False, "the DUT did something wrong"
"""


def write_profile(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("fake.toml").write_text(PROFILE)


def test_failing_test_report_has_the_merged_wire_trace(pytester: pytest.Pytester) -> None:
    write_profile(pytester)
    pytester.makepyfile(test_trace=TRACE)
    result = pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe", "--alluredir", "allure", "--tb=long")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*AssertionError: the DUT did something wrong*",
        "*- SIP wire trace -*",
        "[[]+*s[]] peer UDP 127.0.0.1:* -> 127.0.0.1:*  OPTIONS sip:b@127.0.0.1 SIP/2.0*",
        "*[[]+*s[]] downstream UDP 127.0.0.1:* <- 127.0.0.1:*  OPTIONS sip:b@127.0.0.1 SIP/2.0*",
    ])
    attachments = [p.read_text() for p in pytester.path.joinpath("allure").glob("*-attachment.txt")]
    assert any("downstream UDP" in text and "OPTIONS sip:b@127.0.0.1" in text for text in attachments)


XDIST = """
import pytest
from sipconform.verdict import inconclusive, warn

@pytest.mark.clause("RFC3261-9.2-10")
@pytest.mark.parametrize("n", range(3))
def test_pass(dut, n, sip_peer):
    assert sip_peer.address[1] != 0  # an ephemeral port of its own on every worker

@pytest.mark.clause("RFC3261-9.2-10")
def test_warn(dut):
    warn("soft")

@pytest.mark.clause("RFC3261-9.2-10")
def test_inconclusive(dut):
    inconclusive("never rang")

@pytest.mark.clause("RFC3261-9.2-10")
def test_fail(dut):
    assert False, "hard"
"""


def test_xdist_controller_writes_all_results_once(pytester: pytest.Pytester) -> None:
    write_profile(pytester)
    pytester.makepyfile(test_x=XDIST)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:randomly", "--sip-dut", "fake.toml",
                                           "--no-sip-probe", "--sip-results", "out.json")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*6 pass, 2 fail, 2 warn, 2 inconclusive, 0 not-applicable, 0 error*"])
    doc = json.loads(pytester.path.joinpath("out.json").read_text())
    assert len(doc["results"]) == 12 == len({r["nodeid"] for r in doc["results"]})
    assert doc["summary"] == {"pass": 6, "fail": 2, "warn": 2, "inconclusive": 2, "not-applicable": 0, "error": 0}
    assert {r["transport"] for r in doc["results"]} == {"udp", "tcp"}
    assert list(pytester.path.glob("*.json")) == [pytester.path / "out.json"]


def test_unreachable_external_dut_stops_the_run_early(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_never="""
        import pytest

        @pytest.mark.clause("RFC3261-9.2-10")
        def test_never(dut):
            pass
    """)
    started = time.monotonic()
    result = pytester.runpytest("--sip-dut", "udp:127.0.0.1:9", "--sip-role", "uas", "--sip-t1", "0.05")
    assert time.monotonic() - started < 10
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*sipconform: DUT at udp:127.0.0.1:9 did not answer an OPTIONS "
                                 "within 1 s*--no-sip-probe skips this check*"])
    assert "test_never" not in result.stdout.str()
    doc = json.loads(pytester.path.joinpath("reports/latest/results.json").read_text())
    assert doc["results"] == [] and "did not answer" in doc["aborted"]


def test_reference_dut_that_cannot_start_errors_its_tests_once(pytester: pytest.Pytester) -> None:
    pytester.mkdir("fixtures")
    pytester.mkdir("fixtures/duts")
    pytester.path.joinpath("fixtures/duts/broken.toml").write_text(
        'name = "broken-uas"\nrole = "uas"\nport = 0\ntransports = ["udp"]\n[reference]\nprogram = "kamailio"\n'
        'config = "kamailio/no-such.cfg"\n')
    pytester.makepyfile(test_ref="""
        import pytest

        @pytest.mark.clause("RFC3261-9.2-10")
        @pytest.mark.parametrize("n", range(2))
        def test_it(dut, n):
            pass
    """)
    result = pytester.runpytest("--sip-dut", "broken-uas", "--tb=long")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    message = "reference DUT broken-uas could not be started: broken-uas: configuration "
    result.stdout.fnmatch_lines(["*ERROR at setup of test_it[[]broken-uas-udp-0[]]*", message + "*",
                                 "*ERROR at setup of test_it[[]broken-uas-udp-1[]]*", message + "*",
                                 "*2 errors in *"])
    # Once per test in the error sections (the short summary repeats it, in full when CI is set):
    # no chained exception, no traceback.
    errors_section = result.stdout.str().split("SIP conformance verdicts")[0]
    assert errors_section.count(message) == 2
    assert "Traceback" not in result.stdout.str()
    doc = json.loads(pytester.path.joinpath("reports/latest/results.json").read_text())
    assert [r["verdict"] for r in doc["results"]] == ["error", "error"]
    assert all(r["message"].startswith(message) for r in doc["results"])
