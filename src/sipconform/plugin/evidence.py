"""The suite's own limits are not the DUT's faults: input larger than ``peer.MAX_MESSAGE_SIZE`` makes a test
that would be fail, warn or inconclusive an ``error`` ("larger than the suite's limit"). RFC 3261 sets no size
on a stream message, so a DUT that sends one the suite cannot take has not broken a clause; the suite could
not judge it. (What the input was is named in every verdict by ``plugin.peers.bad_input``.)
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from sipconform.plugin.liveness import make_error
from sipconform.plugin.peers import PEERS_KEY

__all__ = ["SuiteLimits"]

_PLUGIN_NAME = "sipconform-suite-limits"
_JUDGED = ("fail", "warn", "inconclusive")


class SuiteLimits:
    """A pytest plugin object: re-judges a phase whose input hit the suite's limit."""

    @classmethod
    def install(cls, config: pytest.Config) -> None:
        if not config.pluginmanager.has_plugin(_PLUGIN_NAME):
            config.pluginmanager.register(cls(), _PLUGIN_NAME)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]
                                  ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.when == "teardown" or getattr(report, "sip_verdict", None) not in _JUDGED:
            return report
        from sipconform.peer.wirelog import merge, over_limit

        too_large = over_limit(merge(*(p.wire for p in item.stash.get(PEERS_KEY, []))))
        if too_large:
            first = (str(getattr(report, "sip_message", "")).splitlines() or [""])[0]
            make_error(item, report, f"the DUT sent input larger than the suite's limit ({'; '.join(too_large)}): "
                                     f"the suite could not judge this test (it would have said "
                                     f"{report.sip_verdict}: {first})")
        return report
