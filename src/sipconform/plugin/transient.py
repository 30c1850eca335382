"""Transient failures: a Hypothesis example that failed once and passed on replay is ``inconclusive``.

Hypothesis replays a failing example before it reports it; against a network DUT a replay that passes
means the first failure came from something that did not repeat (a lost datagram, a DUT busy for a
moment), not from a fault the example shows. Hypothesis then raises ``FlakyFailure``, which would be an
``error`` whose text is a dump of the test's fixture reprs. Instead the verdict says what happened, the
first failure's own words, and the messages of the peers that example used (the peer its failure names).
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

from sipconform.plugin.peers import PEERS_KEY
from sipconform.verdict import Inconclusive, describe

__all__ = ["as_transient"]

_SHOWN = 12  # lines of that example's messages in the verdict (the full trace is in the report)


def as_transient(item: pytest.Item, exc: BaseException) -> BaseException:
    """``exc`` as the test's outcome: a Hypothesis ``FlakyFailure`` becomes ``Inconclusive``; else ``exc``."""
    errors = sys.modules.get("hypothesis.errors")
    flaky = getattr(errors, "FlakyFailure", None) if errors is not None else None
    if flaky is None or not isinstance(exc, flaky):
        return exc
    first = exc.exceptions[0] if getattr(exc, "exceptions", None) else exc
    said = describe(first)
    return Inconclusive(f"one Hypothesis example failed once and passed when replayed: a transient effect (a lost "
                        f"datagram, a DUT busy for a moment), not a repeatable fault of the DUT. The first time it "
                        f"said: {said}{_messages(item, said)}")


def _messages(item: pytest.Item, said: str) -> str:
    """The start lines the failing example's peer sent and received (the peer its failure names)."""
    peers: list[Any] = item.stash.get(PEERS_KEY, [])
    named = [p for p in peers if said.startswith(f"{p.name}:") or f" {p.name}:" in said]
    if not named:
        return ""
    from sipconform.peer.wirelog import merge

    lines = [f"[+{r.time:.3f} s] {r.peer} {'->' if r.direction == 'out' else '<-'} {r.first_line}"
             for r in merge(*(p.wire for p in named)) if r.direction in ("in", "out")]
    more = f"\n... {len(lines) - _SHOWN} more" if len(lines) > _SHOWN else ""
    return "\nThat example's messages:\n" + "\n".join(lines[:_SHOWN]) + more if lines else ""
