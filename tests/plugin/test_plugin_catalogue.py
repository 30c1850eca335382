"""The clause catalogue and the verdict model (pure: no pytester run)."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from sipconform import clauses
from sipconform.clauses import CATALOGUE, derive_level, derive_roles, derive_section
from sipconform.verdict import (Fail, Inconclusive, NotApplicable, Verdict, Warn, classify, describe, precondition,
                                warn, worst)


def test_catalogue_covers_every_checklist_id() -> None:
    source = json.loads(resources.files("sipconform").joinpath("data", "clauses.json").read_text(encoding="utf-8"))
    assert [row["id"] for row in source] == list(CATALOGUE)
    assert len(CATALOGUE) == 149


def test_untestable_clauses_have_reasons_and_come_from_the_bb_column() -> None:
    for clause in CATALOGUE.values():
        if clause.testability in ("N", "-"):
            assert clause.status == "untestable" and clause.reason, clause.id
        if clause.status == "untestable":
            assert clause.reason, clause.id
    assert CATALOGUE["RFC3261-8.3-1"].roles == ()  # redirect server only: none of our roles


def test_clause_fields() -> None:
    clause = clauses.get("RFC3261-9.2-8")
    assert (clause.level, clause.roles, clause.section, clause.rfc) == ("SHOULD", ("uas",), "9.2", "3261")
    assert clause.quote.startswith("If the original request was an INVITE, the UAS SHOULD")
    assert clause.url == "https://www.rfc-editor.org/rfc/rfc3261#section-9.2"
    with pytest.raises(KeyError, match="unknown clause ID 'RFC3261-9.9-9'"):
        clauses.get("RFC3261-9.9-9")


@pytest.mark.parametrize(("keyword", "level"), [
    ("MUST", "MUST"), ("MUST NOT", "MUST"), ("IMPL (MUST NOT)", "MUST"), ("IMPL (MUST NOT 482)", "MUST"),
    ("SHOULD", "SHOULD"), ("SHOULD NOT", "SHOULD"), ("NOT RECOMMENDED", "SHOULD"), ("RECOMMENDED / MAY", "SHOULD"),
    ("MUST / RECOMMENDED", "MUST"), ("SHOULD / MUST NOT", "MUST"), ("MAY / MUST NOT", "MUST"), ("MAY", "MAY"),
    ("INFO", "INFO"), ("INFO (example)", "INFO"), ("DEF", "INFO"), ("IMPL", "MUST"), ("IMPL (security)", "MUST"),
])
def test_derive_level(keyword: str, level: str) -> None:
    assert derive_level(keyword) == level


def test_bare_impl_follows_a_named_level_in_the_note() -> None:
    assert derive_level("IMPL", "descriptive; the normative level is the SHOULD in 9.2") == "SHOULD"


@pytest.mark.parametrize(("role", "roles"), [
    ("UAC", ("uac",)), ("UA", ("uas", "uac")), ("SFP", ("proxy",)), ("SLP", ("stateless-proxy",)), ("RS", ()),
    ("UAS (stateless)", ("uas",)), ("UAC, SFP (gen); UAS, SFP (recv)", ("uas", "uac", "proxy")),
])
def test_derive_roles(role: str, roles: tuple[str, ...]) -> None:
    assert derive_roles(role) == roles


def test_derive_section() -> None:
    assert derive_section("17.2.3 ¶7") == "17.2.3"
    assert derive_section("20 (legend, Tables 2/3)") == "20"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sipconform.clauses", *args], capture_output=True, text=True,
                          check=False)


def test_cli_prints_coverage() -> None:
    done = run_cli()
    assert done.returncode == 0
    assert "149 clauses: " in done.stdout
    assert "RFC3261-9-3" in done.stdout and "untestable" in done.stdout


def test_cli_check_reports_mismatches(tmp_path: Path) -> None:
    untested = next(c for c in CATALOGUE.values() if c.status != "tested")  # planned or untestable
    (tmp_path / "test_a.py").write_text(f'import pytest\npytestmark = pytest.mark.clause("{untested.id}")\n')
    (tmp_path / "test_b.py").write_text("@pytest.mark.clause('RFC9999-1-1')\ndef test_x(): pass\n")
    done = run_cli("--check", str(tmp_path))
    assert done.returncode == 1
    assert f"{untested.id}: tested by test_a.py, but the catalogue says {untested.status}" in done.stdout
    assert "RFC9999-1-1: marked in test_b.py but not in the catalogue" in done.stdout
    (tmp_path / "test_a.py").unlink()
    (tmp_path / "test_b.py").unlink()
    assert run_cli("--check", str(tmp_path)).returncode == (1 if any(
        c.status == "tested" for c in CATALOGUE.values()) else 0)


@pytest.mark.parametrize(("level", "exc", "strict", "verdict"), [
    ("MUST", None, False, Verdict.PASS),
    ("MUST", AssertionError("x"), False, Verdict.FAIL),
    ("SHOULD", AssertionError("x"), False, Verdict.WARN),
    ("MAY", AssertionError("x"), False, Verdict.WARN),
    ("SHOULD", AssertionError("x"), True, Verdict.FAIL),
    ("MUST", Warn("x"), False, Verdict.WARN),
    ("MUST", Warn("x"), True, Verdict.FAIL),
    ("SHOULD", Fail("x"), False, Verdict.FAIL),
    ("MUST", Inconclusive("x"), True, Verdict.INCONCLUSIVE),
    ("SHOULD", NotApplicable("x"), False, Verdict.NOT_APPLICABLE),
    ("MUST", ValueError("x"), False, Verdict.ERROR),
    ("SHOULD", OSError("x"), False, Verdict.ERROR),
])
def test_classify(level: str, exc: BaseException | None, strict: bool, verdict: Verdict) -> None:
    assert classify(level, exc, strict) is verdict


def test_classify_takes_an_exception_info_too() -> None:
    with pytest.raises(AssertionError) as info:
        raise AssertionError("no 487")
    assert classify("MUST", info, False) is Verdict.FAIL


def test_precondition_turns_assertions_into_inconclusive() -> None:
    with pytest.raises(Inconclusive, match="^precondition not reached: the DUT rings: no 180$"):
        with precondition("the DUT rings"):
            raise AssertionError("no 180")
    with pytest.raises(Warn):
        with precondition("the DUT rings"):
            warn("soft")
    with pytest.raises(ValueError):
        with precondition("the DUT rings"):
            raise ValueError("ours")


def test_worst_and_describe() -> None:
    assert worst(Verdict.PASS, Verdict.INCONCLUSIVE, Verdict.WARN) is Verdict.WARN
    assert worst(Verdict.FAIL, Verdict.ERROR) is Verdict.ERROR
    assert worst() is Verdict.PASS
    assert describe(Warn("soft")) == "soft"
    assert describe(ValueError("bad")) == "ValueError: bad"
    assert describe(AssertionError("got 481\nassert 481 == 200\n +  where 481 = Response(...)")) == "got 481"
    assert describe(AssertionError("assert 481 == 200\n +  where 481 = Response(...)")).startswith("assert 481 == 200")
    assert describe(None) == ""
