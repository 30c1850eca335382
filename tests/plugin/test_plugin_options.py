"""The plugin's options, ini keys and fixtures: help, precedence (CLI > ini > profile > default), usage errors."""

from __future__ import annotations

import textwrap

import hypothesis  # noqa: F401  (kept in sys.modules, so in-process pytester runs do not re-import it)
import pytest

PROFILE = """\
name = "fake"
role = "uas"
host = "127.0.0.1"
port = 5999
transports = ["udp", "tcp"]
{timers}
"""
TIMERS = "[timers]\nt1 = 0.2\nt2 = 0.4\nt4 = 5.0\n"

# The probe is off so no DUT needs to exist: these tests only look at fixtures.
OBSERVE = """\
import pytest

@pytest.mark.role("uas", "uac", "proxy", "stateless-proxy")
def test_observe(dut, sip_transport, sip_timers):
    print(f"OBS role={dut.role} transport={sip_transport} t1={sip_timers.t1:g} t2={sip_timers.t2:g}")
"""


def write_profile(pytester: pytest.Pytester, timers: str = TIMERS, name: str = "fake.toml") -> str:
    pytester.path.joinpath(name).write_text(PROFILE.format(timers=timers), encoding="utf-8")
    return name


def observed(pytester: pytest.Pytester, *args: str) -> list[str]:
    pytester.makepyfile(test_observe=OBSERVE)
    result = pytester.runpytest("-s", "-p", "no:randomly", "--no-sip-probe", *args)
    assert result.ret == 0, result.stdout.str()
    return sorted(line.split("OBS ", 1)[1] for line in result.stdout.lines if "OBS " in line)


def test_help_lists_the_sip_options(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["SIP conformance:", "*--sip-dut=DUT*", "*--sip-role=*", "*--sip-transport=*",
                                 "*--sip-t1=SECONDS*", "*--sip-strict*", "*--sip-results=PATH*", "*--no-sip-probe*"])
    result.stdout.fnmatch_lines(["*sip_dut (string)*", "*sip_t1 (string)*", "*sip_strict (bool)*"])


def test_fixtures_are_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures")
    result.stdout.fnmatch_lines(["sip_peer -- *", "*A ``SipPeer`` on this test's transport*"])
    for fixture in ("sip_peer_factory -- *", "dut -- *", "sip_timers -- *", "sip_transport -- *",
                    "sip_settings [[]session scope[]] -- *", "reference_dut_log -- *"):
        result.stdout.fnmatch_lines([fixture])


def test_markers_are_declared(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    for marker in ("clause(ID, level=None)", "role(*roles)", "transport(*names)", "slow"):
        result.stdout.fnmatch_lines([f"@pytest.mark.{marker}: *"])


def test_profile_values_are_the_default(pytester: pytest.Pytester) -> None:
    write_profile(pytester)
    assert observed(pytester, "--sip-dut", "fake.toml") == [
        "role=uas transport=tcp t1=0.2 t2=0.4", "role=uas transport=udp t1=0.2 t2=0.4"]


def test_builtin_default_t1_without_timers_in_the_profile(pytester: pytest.Pytester) -> None:
    write_profile(pytester, timers="")
    assert observed(pytester, "--sip-dut", "fake.toml", "--sip-transport", "udp") == [
        "role=uas transport=udp t1=0.5 t2=4"]


def test_ini_overrides_the_profile(pytester: pytest.Pytester) -> None:
    pytester.mkdir("duts")
    write_profile(pytester, name="duts/fake.toml")
    pytester.makeini("[pytest]\nsip_dut = duts/fake.toml\nsip_t1 = 0.3\nsip_transport = tcp\nsip_role = uac\n")
    assert observed(pytester) == ["role=uac transport=tcp t1=0.3 t2=0.4"]


def test_cli_overrides_ini(pytester: pytest.Pytester) -> None:
    write_profile(pytester)
    pytester.makeini("[pytest]\nsip_dut = nonexistent.toml\nsip_t1 = 0.3\nsip_transport = tcp\nsip_role = uac\n")
    assert observed(pytester, "--sip-dut", "fake.toml", "--sip-t1", "0.05", "--sip-transport", "udp",
                    "--sip-role", "proxy") == ["role=proxy transport=udp t1=0.05 t2=0.4"]


def test_t1_override_keeps_the_profiles_t2_and_t4(pytester: pytest.Pytester) -> None:
    write_profile(pytester, TIMERS.replace("t4 = 5.0", "t4 = 2.5"))
    assert observed(pytester, "--sip-dut", "fake.toml", "--sip-t1", "0.3", "--sip-transport", "udp") == [
        "role=uas transport=udp t1=0.3 t2=0.4"]


def test_t1_above_t2_takes_the_rfc_t2(pytester: pytest.Pytester) -> None:
    """§17.1.2.2 caps the doubling retransmit interval at T2: a T2 below T1 cannot be kept; T2 is the RFC's 4 s
    (T1 itself when larger), and the report header says so."""
    write_profile(pytester)
    assert observed(pytester, "--sip-dut", "fake.toml", "--sip-t1", "1.5", "--sip-transport", "udp") == [
        "role=uas transport=udp t1=1.5 t2=4"]
    assert observed(pytester, "--sip-dut", "fake.toml", "--sip-t1", "6", "--sip-transport", "udp") == [
        "role=uas transport=udp t1=6 t2=6"]
    result = pytester.runpytest("--sip-dut", "fake.toml", "--sip-t1", "0.5", "--no-sip-probe", "--collect-only")
    result.stdout.fnmatch_lines(["sip note: fake: T1 0.5 s exceeds the profile's T2 0.4 s, which §17.1.2.2 needs "
                                 "at least as large: T2 is 4 s (RFC 3261 Table 4, or T1 if larger)"])


def test_address_with_role(pytester: pytest.Pytester) -> None:
    assert observed(pytester, "--sip-dut", "tcp:127.0.0.1:5999", "--sip-role", "uac") == [
        "role=uac transport=tcp t1=0.5 t2=4"]


def test_report_header_shows_the_dut(pytester: pytest.Pytester) -> None:
    write_profile(pytester)
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = pytester.runpytest("--sip-dut", "fake.toml", "--sip-t1", "0.25", "--no-sip-probe")
    result.stdout.fnmatch_lines(["sip DUT fake: role uas, 127.0.0.1:5999, transports udp,tcp, T1 0.25 s*",
                                 "sip: strict off, results */reports/*-fake/results.json"])


@pytest.mark.parametrize(("args", "ini", "message"), [
    (["--sip-t1", "0"], "", "*sip_t1 (--sip-t1): T1 must be > 0 seconds, got 0*"),
    (["--sip-t1", "abc"], "", "*sip_t1 (--sip-t1): 'abc' is not a number of seconds*"),
    ([], "sip_t1 = -1", "*sip_t1 (ini sip_t1): T1 must be > 0 seconds*"),
    ([], "sip_role = pbx", "*sip_role (ini sip_role): 'pbx' is not one of uas, uac, proxy, stateless-proxy*"),
    ([], "sip_transport = sctp",
     "*sip_transport (ini sip_transport): 'sctp' is not a transport; give a comma list of udp, tcp, tls, ws, wss*"),
    (["--sip-dut", "missing.toml"], "", "*sip_dut: 'missing.toml' is neither a profile file*"),
    (["--sip-dut", "bad.toml"], "", "*bad.toml: not valid TOML*"),
    (["--sip-dut", "udp:127.0.0.1:5060"], "", "*an address needs --sip-role*"),
    (["--sip-dut", "udp:127.0.0.1"], "", "*expected TRANSPORT:HOST:PORT*"),
    (["--sip-dut", "fake.toml", "--sip-transport", "tcp", "--sip-role", "uas"], "",
     "*no selected DUT runs over tcp*"),
])
def test_bad_values_are_usage_errors(pytester: pytest.Pytester, args: list[str], ini: str, message: str) -> None:
    pytester.path.joinpath("bad.toml").write_text("name = [unclosed\n", encoding="utf-8")
    pytester.path.joinpath("fake.toml").write_text('name = "fake"\nrole = "uas"\ntransports = ["udp"]\n')
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\n")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: sipconform: {message}"])


@pytest.mark.parametrize(("args", "message"), [
    (["--sip-role", "pbx"], "*invalid choice*"),
    (["--sip-transport", "tls,sctp"], "*'sctp' is not a transport; give a comma list*"),
])
def test_bad_choices_on_the_command_line(pytester: pytest.Pytester, args: list[str], message: str) -> None:
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_plain_tests_are_untouched_and_write_no_results(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain=textwrap.dedent("""\
        def test_ok():
            pass

        def test_broken():
            raise ValueError("ours")
    """))
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    assert not pytester.path.joinpath("reports", "results.json").exists()


def test_role_selects_among_the_reference_duts(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = pytester.runpytest("--sip-role", "proxy", "--collect-only")
    result.stdout.fnmatch_lines(["sip DUT kamailio-proxy: role proxy, started by the suite*"])
    assert "sip DUT kamailio-uas" not in result.stdout.str()


def test_broken_reference_profile_is_left_out_with_a_note(pytester: pytest.Pytester) -> None:
    pytester.mkdir("fixtures")
    pytester.mkdir("fixtures/duts")
    pytester.path.joinpath("fixtures/duts/broken.toml").write_text('name = "broken"\nrole = "pbx"\n')
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["sip note: reference profile left out: *broken.toml: role must be one of*"])
