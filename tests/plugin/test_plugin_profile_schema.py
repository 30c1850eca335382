"""The DUT profile schema is explicit: a misspelt key, table or capability stops the run at once with one
line naming it and the nearest valid name (a typo must not load silently as a default); every name the
schema knows is in the README's profile reference."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sipconform.dut.capabilities import capability_docs
from sipconform.dut.profile import KEYS, TABLES

GOOD = 'name = "typo"\nrole = "uas"\nport = 5099\ntransports = ["udp"]\n'
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize(("extra", "line"), [
    ('transport = ["tcp"]\n', "unknown key 'transport' (did you mean 'transports'?)"),
    ('[target]\nring = "ring"\n', "unknown table [target] (did you mean [targets]?)"),
    ("[capabilities]\nreliable_provisonal = true\n",
     "unknown capability 'reliable_provisonal' in [capabilities] (did you mean 'reliable_provisional'?)"),
    ("[timers]\ntt1 = 0.5\n", "unknown key 'tt1' in [timers] (did you mean 't1'?)"),
    ("[reference]\nprogramm = \"kamailio\"\n", "unknown key 'programm' in [reference] (did you mean 'program'?)"),
    ("[capabilities]\nrfc6026 = \"yes\"\n", "[capabilities] rfc6026 must be true/false, got 'yes'"),
])
def test_misspelt_name_is_one_usage_error_line(pytester: pytest.Pytester, extra: str, line: str) -> None:
    pytester.path.joinpath("typo.toml").write_text(GOOD + extra, encoding="utf-8")
    pytester.makepyfile(test_never="import pytest\n\n@pytest.mark.clause('RFC3261-9.2-10')\n"
                                   "def test_never(dut):\n    raise AssertionError('must not run')\n")
    result = pytester.runpytest("--sip-dut", "typo.toml", "--no-sip-probe")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [text for text in result.stderr.lines if text.strip()]
    assert errors == [f"ERROR: sipconform: sip_dut: {pytester.path / 'typo.toml'}: {line}"], result.stderr.str()
    assert "must not run" not in result.stdout.str()


def test_a_broken_reference_profile_named_on_the_command_line_stops_the_run(pytester: pytest.Pytester) -> None:
    pytester.mkdir("fixtures")
    pytester.mkdir("fixtures/duts")
    pytester.path.joinpath("fixtures/duts/mine.toml").write_text(
        GOOD + '[reference]\nprogram = "kamailio"\nconfig = "kamailio/uas.cfg"\nfr_inv = 1\n', encoding="utf-8")
    result = pytester.runpytest("--sip-dut", "mine")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: sipconform: sip_dut: *mine.toml: unknown key 'fr_inv' in [[]reference[]] "
                                 "(did you mean 'fr_inv_ms'?)"])


def test_every_schema_name_is_in_the_readme_profile_reference() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("### Profile reference")
    reference = text[start:text.index("\n## ", start)]
    names = [*KEYS, *(f"[{t}]" for t in TABLES), *capability_docs(),
             *(k for keys in TABLES.values() if keys for k in keys)]
    missing = [n for n in names if not re.search(rf"`{re.escape(n)}(?!\w)", reference)]
    assert not missing, f"the README's profile reference does not name {missing}"
