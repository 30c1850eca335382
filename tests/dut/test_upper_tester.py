"""Upper testers: exec argv run without a shell, bounded; none/manual behave as documented."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest

from sipconform.dut.profile import ProfileError, UpperTesterSpec, profile_from_mapping
from sipconform.dut.upper_tester import UpperTesterError, UpperTesterMissing, make_upper_tester

ECHO_ARGS = [sys.executable, "-c", "import sys, pathlib; pathlib.Path(sys.argv[1]).write_text(repr(sys.argv[2:]))"]


@dataclass
class Target:
    uri: str = "sip:peer@127.0.0.1:5099"
    host: str = "127.0.0.1"
    port: int = 5099
    transport: str = "udp"


def test_exec_runs_shell_metacharacters_literally(tmp_path):
    out = tmp_path / "argv.txt"
    canary = tmp_path / "pwned"
    hostile = f"; touch {canary} && echo $(id) | cat `uname` > {canary} *"
    spec = UpperTesterSpec(kind="exec", call=(*ECHO_ARGS, str(out), "{uri}", hostile, "{host}:{port}/{transport}"))
    tester = make_upper_tester(spec, workdir=tmp_path, timeout=5.0, notify=print)
    tester.call(Target())
    assert tester.wait_calls(timeout=10.0), tester.log_text()
    tester.close()
    assert out.exists(), tester.log_text()
    assert eval(out.read_text()) == ["sip:peer@127.0.0.1:5099", hostile, "127.0.0.1:5099/udp"]
    assert not canary.exists(), "a shell interpreted the argv"


def test_exec_hangup_failure_is_a_clear_error(tmp_path):
    spec = UpperTesterSpec(kind="exec", call=(sys.executable, "-c", "pass"),
                           hangup=(sys.executable, "-c", "raise SystemExit(3)"))
    tester = make_upper_tester(spec, workdir=tmp_path, timeout=5.0, notify=print)
    tester.call(Target())
    with pytest.raises(UpperTesterError, match="exited with status 3"):
        tester.hang_up()
    tester.close()


def test_exec_hangup_is_bounded(tmp_path):
    spec = UpperTesterSpec(kind="exec", call=(sys.executable, "-c", "pass"),
                           hangup=(sys.executable, "-c", "import select; select.select([], [], [], 60)"))
    tester = make_upper_tester(spec, workdir=tmp_path, timeout=0.5, notify=print)
    tester.call(Target())
    with pytest.raises(UpperTesterError, match="did not finish within 0.5 s"):
        tester.hang_up()
    tester.close()


def test_missing_program_is_a_clear_error(tmp_path):
    spec = UpperTesterSpec(kind="exec", call=("/nonexistent/dialer", "{uri}"))
    tester = make_upper_tester(spec, workdir=tmp_path, timeout=1.0, notify=print)
    with pytest.raises(UpperTesterError, match="cannot run '/nonexistent/dialer'"):
        tester.call(Target())


def test_none_makes_tests_inconclusive_not_passed(tmp_path):
    tester = make_upper_tester(UpperTesterSpec(kind="none"), workdir=tmp_path, timeout=1.0, notify=print)
    with pytest.raises(UpperTesterMissing):
        tester.call(Target())


def test_manual_tells_the_operator(tmp_path):
    said: list[str] = []
    tester = make_upper_tester(UpperTesterSpec(kind="manual"), workdir=tmp_path, timeout=1.0, notify=said.append)
    tester.call(Target(transport="tcp"))
    tester.hang_up()
    assert "sip:peer@127.0.0.1:5099" in said[0] and "TCP" in said[0]
    assert "hang up" in said[1]


def test_exec_reinvite_and_cancel_run_their_argv_or_are_missing(tmp_path):
    """A profile with ``reinvite``/``cancel`` argv runs them (filled like ``call``); one without them
    cannot make the DUT re-INVITE: UpperTesterMissing (the test is inconclusive, never passed)."""
    out = tmp_path / "argv.txt"
    spec = UpperTesterSpec(kind="exec", call=(sys.executable, "-c", "pass"),
                           reinvite=(*ECHO_ARGS, str(out), "reinvite", "{uri}"))
    tester = make_upper_tester(spec, workdir=tmp_path, timeout=5.0, notify=print)
    tester.call(Target())
    tester.reinvite()
    assert eval(out.read_text()) == ["reinvite", "sip:peer@127.0.0.1:5099"]
    with pytest.raises(UpperTesterMissing, match="no 'cancel' command"):
        tester.cancel()
    tester.close()


def test_exec_reject_runs_without_a_call_placed(tmp_path):
    """The callee's ``reject`` (the DUT is a UAS): no call of its own before it, placeholders left as written."""
    out = tmp_path / "argv.txt"
    spec = UpperTesterSpec(kind="exec", reject=(*ECHO_ARGS, str(out), "reject", "{uri}"))
    tester = make_upper_tester(spec, workdir=tmp_path, timeout=5.0, notify=print)
    tester.reject()
    assert eval(out.read_text()) == ["reject", "{uri}"]
    tester.close()


def test_reject_missing_is_inconclusive_material(tmp_path):
    exec_tester = make_upper_tester(UpperTesterSpec(kind="exec", call=(sys.executable, "-c", "pass")),
                                    workdir=tmp_path, timeout=1.0, notify=print)
    with pytest.raises(UpperTesterMissing, match="no 'reject' command"):
        exec_tester.reject()
    none = make_upper_tester(UpperTesterSpec(kind="none"), workdir=tmp_path, timeout=1.0, notify=print)
    with pytest.raises(UpperTesterMissing, match="reject a call"):
        none.reject()


def test_manual_reject_tells_the_operator_not_to_answer(tmp_path):
    said: list[str] = []
    make_upper_tester(UpperTesterSpec(kind="manual"), workdir=tmp_path, timeout=1.0, notify=said.append).reject()
    assert "reject the incoming call" in said[0] and "do not answer" in said[0]


@pytest.mark.parametrize(("role", "ut", "problem"), [
    ("uas", {"kind": "exec", "reject": ["my-phone", "--decline"]}, None),
    ("uas", {"kind": "exec"}, "needs an argv for at least one of"),
    ("uac", {"kind": "exec", "reject": ["x"]}, "needs a 'call' argv"),
    ("uas", {"kind": "exec", "reject": "my-phone --decline"}, "upper_tester.reject must be a list of strings"),
])
def test_profile_exec_actions(role, ut, problem):
    """A UAS profile's exec upper tester may have only ``reject``; a UAC's needs ``call``."""
    data = {"name": "x", "role": role, "upper_tester": ut}
    if problem is None:
        assert profile_from_mapping(data).upper_tester.reject == ("my-phone", "--decline")
    else:
        with pytest.raises(ProfileError, match=problem):
            profile_from_mapping(data)
