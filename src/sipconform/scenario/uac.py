"""Transition shim: the DUT-as-UAC steps moved to ``sipconform.flows.uac`` and ``sipconform.flows.arrivals``.

Re-exports the names other roles still import from here. ``act`` keeps its old meaning for
``scenario/uas.py`` (an upper tester that cannot act is ``Inconclusive``), whose role moves separately;
``flows.uac.act`` raises ``NoUpperTester`` instead. Removed at merge.
"""

from __future__ import annotations

from collections.abc import Callable

from sipconform.flows.arrivals import await_first, refused, unparseable
from sipconform.flows.uac import Target, sdp_answer
from sipconform.flows.upper_tester import NoUpperTester
from sipconform.flows.upper_tester import act as _act
from sipconform.verdict import Inconclusive

__all__ = ["Target", "act", "await_first", "refused", "sdp_answer", "unparseable"]


def act(action: Callable[[], None], what: str) -> None:
    """``flows.uac.act``, an upper tester that cannot act leaving the test inconclusive (the old meaning)."""
    try:
        _act(action, what)
    except NoUpperTester as exc:
        raise Inconclusive(str(exc)) from None
