"""``--sip-loss PCT`` (and ``--sip-loss-seed N``): run on an emulated lossy network (``peer.loss``).

A pytest plugin module the sipconform plugin registers: the option, its check (one clear line when it is
not a share between 0 and 100), the loss installed in each process, re-seeded per test with the test's id,
and a "SIP loss" report section per test saying what was dropped.
"""

from __future__ import annotations

from typing import Any

import pytest

from sipconform.peer import loss

__all__ = ["pytest_addoption"]

_SECTION = "SIP loss"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sip", "SIP conformance")
    group.addoption("--sip-loss", dest="sip_loss", metavar="PCT", default=None,
                    help="drop PCT %% of the UDP datagrams the suite's peers send and receive (seeded, "
                         "reproducible), to check the verdicts do not depend on a perfect network")
    group.addoption("--sip-loss-seed", dest="sip_loss_seed", metavar="N", type=int, default=1,
                    help="the seed of --sip-loss (default 1); each test is seeded with it and its own id")


def _share(config: pytest.Config) -> float | None:
    value = config.getoption("sip_loss", None)
    if value is None:
        return None
    try:
        share = float(value) / 100
    except ValueError:
        share = -1.0
    if not 0 <= share < 1:
        raise pytest.UsageError(f"sipconform: --sip-loss {value}: give the share of datagrams to drop, in "
                                f"percent, from 0 up to (not including) 100")
    return share


def pytest_configure(config: pytest.Config) -> None:
    share = _share(config)
    loss.install(loss.Loss(share, config.getoption("sip_loss_seed")) if share else None)


def pytest_unconfigure(config: pytest.Config) -> None:
    loss.install(None)


def pytest_report_header(config: pytest.Config) -> list[str]:
    lossy = loss.active()
    return [f"sip loss: {lossy.share:.0%} of the UDP datagrams dropped each way (seed {lossy.seed})"] if lossy else []


def pytest_runtest_setup(item: pytest.Item) -> None:
    if (lossy := loss.active()) is not None:
        lossy.start(item.nodeid)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    lossy = loss.active()
    if lossy is not None and report.when == "call":
        report.sections.append((_SECTION, lossy.summary()))
    return report
