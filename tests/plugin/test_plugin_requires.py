"""The ``requires(...)`` marker: judged at collection from the resolved DUT, before any fixture runs; the
verdict names the profile key that rules the test out."""

from __future__ import annotations

import json

import hypothesis  # noqa: F401  (kept in sys.modules, so in-process pytester runs do not re-import it)
import pytest

PROFILE = ('name = "fake"\nrole = "uas"\nhost = "127.0.0.1"\nport = 5999\ntransports = ["udp", "tcp"]\n'
           '[capabilities]\nreliable_provisional = false\n[targets]\nring = "ring"\n')

MODULE = """
import pytest

pytestmark = [pytest.mark.clause("RFC3261-9.2-10")]

@pytest.fixture
def started():
    print("FIXTURE RAN")

@pytest.mark.requires("rfc6026")
def test_default_false(dut, started):
    pass

@pytest.mark.requires("reliable_provisional")
def test_written_false(dut, started):
    pass

@pytest.mark.requires("rfc3263")
def test_unset_is_tried(dut):
    pass

@pytest.mark.requires(transport="udp")
def test_udp_only(dut):
    pass

@pytest.mark.requires(target="busy")
def test_needs_busy(dut, started):
    pass
"""


def _verdicts(pytester: pytest.Pytester) -> dict[str, tuple[str, str]]:
    doc = json.loads(pytester.path.joinpath("reports/latest/results.json").read_text())
    return {r["nodeid"].split("::")[1]: (r["verdict"], r["message"]) for r in doc["results"]}


def test_requires_rules_tests_out_with_the_profile_key(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("fake.toml").write_text(PROFILE)
    pytester.makepyfile(test_req=MODULE)
    result = pytester.runpytest("-s", "--strict-markers", "--no-sip-probe", "-p", "no:randomly",
                                "--sip-dut", "fake.toml")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert "FIXTURE RAN" not in result.stdout.str()  # ruled out before any fixture (no DUT started)
    v = _verdicts(pytester)
    assert v["test_default_false[fake-udp]"] == (
        "not-applicable", "the profile's [capabilities] rfc6026 is false (the default); the test applies only "
        "where it holds: the UAS's INVITE server transaction has RFC 6026's Accepted state (§7.1: it absorbs "
        "INVITE retransmissions after a 2xx)")
    assert v["test_written_false[fake-tcp]"][0] == "not-applicable"
    assert v["test_written_false[fake-tcp]"][1].startswith(
        "the profile's [capabilities] reliable_provisional = false; the test applies only where it holds")
    assert v["test_unset_is_tried[fake-udp]"][0] == "pass"
    assert v["test_udp_only[fake-udp]"][0] == "pass"
    assert v["test_udp_only[fake-tcp]"] == (
        "not-applicable", "the clause is about UDP; this instance runs over TCP (the profile's transports)")
    assert v["test_needs_busy[fake-udp]"] == (
        "inconclusive", "the profile names no [targets] busy user, a Request-URI with which the DUT rejects at "
        "once with a non-2xx final (e.g. 486)")


def test_unknown_requirement_is_a_collection_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_bad="""
        import pytest

        @pytest.mark.clause("RFC3261-9.2-10")
        @pytest.mark.requires("rfc6062", transport="sctp")
        def test_it():
            pass
    """)
    result = pytester.runpytest("--no-sip-probe", "-p", "no:randomly")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*requires('rfc6062'): not a capability of the profile schema "
                                 "(did you mean 'rfc6026'?)*",
                                 "*requires(transport='sctp'): give one of udp, tcp*"])
