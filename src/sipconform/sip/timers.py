"""RFC 3261 §17 timer values, derived from T1, T2 and T4 (Table 4).

Pure arithmetic: no clock. Every wait in the suite is one of these, or a
multiple of T1, so that a DUT with its own T1 is waited for at its own pace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

__all__ = ["PROVISIONAL_REFRESH_INTERVAL", "TU_RESPONSE_WINDOW", "Timers"]

TU_RESPONSE_WINDOW = 0.2
"""§17.2.1: the INVITE server transaction "MUST generate a 100 (Trying) response unless it knows that the
TU will generate a provisional or final response within 200 ms": a fixed 200 ms, not scaled to T1."""

PROVISIONAL_REFRESH_INTERVAL = 60.0
"""§13.3.1.1: "To prevent cancellation, the UAS MUST send a non-100 provisional response at every minute":
the longest a ringing INVITE may go without a non-100 1xx (a proxy's Timer C is > 3 min, §16.6 step 11).
A fixed minute, not scaled to T1."""


@dataclass(frozen=True)
class Timers:
    """T1, T2, T4 in seconds (§17.1.1.1, Table 4) and the timers built from them."""

    t1: float = 0.5
    t2: float = 4.0
    t4: float = 5.0

    def __post_init__(self) -> None:
        if not (self.t1 > 0 and self.t2 >= self.t1 and self.t4 > 0):
            raise ValueError(f"need 0 < T1 <= T2 and T4 > 0, got T1={self.t1} T2={self.t2} T4={self.t4}")

    @property
    def a(self) -> float:
        """Timer A: initial INVITE request retransmit interval, UDP only (T1)."""
        return self.t1

    @property
    def b(self) -> float:
        """Timer B: INVITE transaction timeout (64*T1)."""
        return 64 * self.t1

    @property
    def d(self) -> float:
        """Timer D: wait time for response retransmits, UDP (> 32 s; we take max(32 s, 64*T1)
        scaled to T1 so a fast-T1 DUT is waited for at its pace: 64*T1)."""
        return 64 * self.t1

    @property
    def e(self) -> float:
        """Timer E: initial non-INVITE request retransmit interval, UDP only (T1)."""
        return self.t1

    @property
    def f(self) -> float:
        """Timer F: non-INVITE transaction timeout (64*T1)."""
        return 64 * self.t1

    @property
    def g(self) -> float:
        """Timer G: initial INVITE response retransmit interval (T1)."""
        return self.t1

    @property
    def h(self) -> float:
        """Timer H: wait time for ACK receipt (64*T1)."""
        return 64 * self.t1

    @property
    def i(self) -> float:
        """Timer I: wait time for ACK retransmits, UDP (T4)."""
        return self.t4

    @property
    def j(self) -> float:
        """Timer J: wait time for non-INVITE request retransmits, UDP (64*T1)."""
        return 64 * self.t1

    @property
    def k(self) -> float:
        """Timer K: wait time for response retransmits, UDP (T4)."""
        return self.t4

    def invite_retransmits(self) -> Iterator[float]:
        """Intervals of INVITE retransmission (§17.1.1.2): T1, 2*T1, 4*T1, ... until Timer B."""
        interval, elapsed = self.t1, 0.0
        while elapsed + interval < self.b:
            yield interval
            elapsed += interval
            interval *= 2

    def non_invite_retransmits(self) -> Iterator[float]:
        """Intervals of non-INVITE retransmission (§17.1.2.2): doubling from T1, capped at T2, until Timer F."""
        interval, elapsed = self.t1, 0.0
        while elapsed + interval < self.f:
            yield interval
            elapsed += interval
            interval = min(2 * interval, self.t2)

    def response_retransmits(self) -> Iterator[float]:
        """Intervals of 2xx/non-2xx INVITE final response retransmission (Timer G, §17.2.1):
        doubling from T1, capped at T2, until Timer H."""
        interval, elapsed = self.t1, 0.0
        while elapsed + interval < self.h:
            yield interval
            elapsed += interval
            interval = min(2 * interval, self.t2)
