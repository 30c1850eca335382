"""``--sip-loss PCT``: a usage error outside 0..100, else in the header and a "SIP loss" section per test."""

from __future__ import annotations

import hypothesis  # noqa: F401  (kept in sys.modules, so in-process pytester runs do not re-import it)
import pytest


def test_sip_loss_out_of_range_is_one_line(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sip-loss", "100")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*sipconform: --sip-loss 100: give the share of datagrams to drop*"])


def test_sip_loss_is_in_the_header_and_each_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="""
        from sipconform.peer import loss

        def test_it():
            assert loss.active() is not None and loss.active().share == 0.25
            assert False, "show the sections"
    """)
    result = pytester.runpytest("--sip-loss", "25", "--sip-loss-seed", "3")
    result.stdout.fnmatch_lines(["sip loss: 25% of the UDP datagrams dropped each way (seed 3)",
                                 "*- SIP loss -*", "0 of 0 datagrams sent and 0 of 0 received were dropped*"])
