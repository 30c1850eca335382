"""Emulated datagram loss (``--sip-loss``): the peers' UDP transports drop a share of the datagrams they
send and receive, from a seeded random source, so a lab can check that its verdicts do not depend on a
perfect network (a conformant DUT must stay pass or inconclusive; the suite's own retransmissions follow
RFC 3261 §17.1). No netem needed: each datagram crosses the suite's transport once, in or out.

The plugin installs one ``Loss`` per process (``install``) and re-seeds it per test with the test's id
(``start``), so a test loses the same datagrams whatever the order of the tests or the xdist worker.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

__all__ = ["Loss", "active", "install"]


@dataclass
class Loss:
    """Drop ``share`` (0..1) of the datagrams each way; counts what it dropped since ``start``."""

    share: float
    seed: int
    rng: random.Random = field(default_factory=random.Random, repr=False)
    seen: dict[str, int] = field(default_factory=lambda: {"out": 0, "in": 0})
    dropped: dict[str, int] = field(default_factory=lambda: {"out": 0, "in": 0})

    def start(self, label: str) -> None:
        """Re-seed for one test (``label``: its id) and reset the counts."""
        self.rng.seed(f"{self.seed}:{label}")
        self.seen = {"out": 0, "in": 0}
        self.dropped = {"out": 0, "in": 0}

    def drop(self, direction: str) -> bool:
        """Whether the next datagram going ``direction`` ("out" or "in") is lost."""
        self.seen[direction] += 1
        lost = self.rng.random() < self.share
        self.dropped[direction] += lost
        return lost

    def summary(self) -> str:
        return (f"{self.dropped['out']} of {self.seen['out']} datagrams sent and {self.dropped['in']} of "
                f"{self.seen['in']} received were dropped ({self.share:.0%} loss, seed {self.seed})")


_active: Loss | None = None


def install(loss: Loss | None) -> None:
    """Make ``loss`` the loss of every UDP transport of this process (None: a perfect network)."""
    global _active
    _active = loss


def active() -> Loss | None:
    return _active
