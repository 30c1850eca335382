"""Markers: declared for --strict-markers, validated at collection, and driving DUT selection."""

from __future__ import annotations

import hypothesis  # noqa: F401  (kept in sys.modules, so in-process pytester runs do not re-import it)
import pytest

PROFILE = 'name = "{name}"\nrole = "{role}"\nhost = "127.0.0.1"\nport = 5999\ntransports = {transports}\n'


def write_profile(pytester: pytest.Pytester, name: str = "fake", role: str = "uas",
                  transports: str = '["udp", "tcp"]') -> str:
    pytester.path.joinpath(f"{name}.toml").write_text(PROFILE.format(name=name, role=role, transports=transports))
    return f"{name}.toml"


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("--strict-markers", "--no-sip-probe", "-p", "no:randomly", *args)


def test_declared_markers_pass_strict_markers(pytester: pytest.Pytester) -> None:
    write_profile(pytester)
    pytester.makepyfile(test_marked="""
        import pytest

        pytestmark = [pytest.mark.clause("RFC3261-9.2-8"), pytest.mark.role("uas")]

        @pytest.mark.slow
        @pytest.mark.transport("udp")
        def test_it(dut):
            pass
    """)
    run(pytester, "--sip-dut", "fake.toml", "--sip-slow").assert_outcomes(passed=1)


def test_undeclared_marker_is_still_refused(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_typo="""
        import pytest

        @pytest.mark.clauses("RFC3261-9.2-8")
        def test_it():
            pass
    """)
    result = run(pytester)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*'clauses' not found in `markers` configuration option*"])


def test_unknown_clause_id_is_a_collection_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_unknown="""
        import pytest

        @pytest.mark.clause("RFC3261-9.2-88")
        def test_it():
            pass

        @pytest.mark.clause("RFC3261-9.2-8")
        def test_fine():
            pass
    """)
    result = run(pytester)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines([
        "*ERROR collecting test_unknown.py*",
        "test_unknown.py::test_it: unknown clause ID 'RFC3261-9.2-88': not in the sipconform catalogue "
        "(python -m sipconform.clauses lists them); did you mean RFC3261-9.2-8*",
        "ERROR test_unknown.py - test_unknown.py::test_it: unknown clause ID*",
        "*1 error*",
    ])


@pytest.mark.parametrize(("marks", "message"), [
    ('@pytest.mark.clause("RFC3261-9.2-8")\n@pytest.mark.clause("RFC3261-9.2-6")',
     "2 clause markers ('RFC3261-9.2-6', 'RFC3261-9.2-8'): a conformance test checks exactly one clause"),
    ('@pytest.mark.clause("RFC3261-9.2-8", level="OPTIONAL")', "clause level 'OPTIONAL' is not one of *"),
    ('@pytest.mark.clause("RFC3261-9.2-8", "RFC3261-9.2-6")', "clause marker takes one clause ID*"),
    ('@pytest.mark.clause("RFC3261-9.2-8")\n@pytest.mark.role("pbx")', "role marker ('pbx',): give one or more of*"),
    ('@pytest.mark.clause("RFC3261-9.2-8")\n@pytest.mark.transport("sctp")', "transport marker ('sctp',)*"),
])
def test_malformed_markers_are_collection_errors(pytester: pytest.Pytester, marks: str, message: str) -> None:
    pytester.makepyfile(test_bad=f"import pytest\n\n{marks}\ndef test_it():\n    pass\n")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines([f"test_bad.py::test_it: {message}"])


def test_conformance_tree_needs_a_clause(pytester: pytest.Pytester) -> None:
    pytester.mkdir("conformance")
    pytester.path.joinpath("conformance", "test_loose.py").write_text("def test_it():\n    pass\n")
    pytester.makepyfile(test_elsewhere="def test_free():\n    pass\n")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["conformance/test_loose.py::test_it: no clause marker: every conformance test *"])
    assert "test_elsewhere" not in result.stdout.str()


def test_dut_parametrisation_ids_and_role_deselection(pytester: pytest.Pytester) -> None:
    write_profile(pytester, "alpha", "uas")
    write_profile(pytester, "beta", "proxy", '["udp"]')
    pytester.makepyfile(test_roles="""
        import pytest

        @pytest.mark.clause("RFC3261-9.2-8")  # a UAS clause: its roles decide
        def test_uas_clause(dut):
            pass

        @pytest.mark.clause("RFC3261-9.2-13")  # UAS and proxy
        def test_uas_and_proxy(dut):
            pass

        @pytest.mark.clause("RFC3261-9.2-13")
        @pytest.mark.role("proxy")  # the marker narrows it
        @pytest.mark.transport("tcp")  # and beta has no tcp
        def test_proxy_over_tcp(dut):
            pass

        @pytest.mark.clause("RFC3261-9.1-2")  # a UAC/proxy clause
        @pytest.mark.role("uac")
        def test_uac_only(dut):
            pass
    """)
    result = run(pytester, "--sip-dut", "alpha.toml,beta.toml", "--collect-only", "-q")
    result.stdout.fnmatch_lines([
        "test_roles.py::test_uas_clause[[]alpha-udp[]]",
        "test_roles.py::test_uas_clause[[]alpha-tcp[]]",
        "test_roles.py::test_uas_and_proxy[[]alpha-udp[]]",
        "test_roles.py::test_uas_and_proxy[[]alpha-tcp[]]",
        "test_roles.py::test_uas_and_proxy[[]beta-udp[]]",
        "5/7 tests collected (2 deselected)*",
    ])
    assert "test_uac_only" not in result.stdout.str()


def test_transport_option_narrows_the_instances(pytester: pytest.Pytester) -> None:
    write_profile(pytester)
    pytester.makepyfile(test_t="""
        import pytest

        @pytest.mark.clause("RFC3261-9.2-8")
        def test_it(dut, sip_transport):
            assert sip_transport == "tcp"
    """)
    result = run(pytester, "--sip-dut", "fake.toml", "--sip-transport", "tcp", "-v")
    result.stdout.fnmatch_lines(["test_t.py::test_it[[]fake-tcp[]] PASSED*"])
    result.assert_outcomes(passed=1)
