"""RFC 3261 §17 timer values, derived from T1, T2 and T4 (Table 4), and the suite's named windows.

Pure arithmetic: no clock. Every wait in the suite is one of the RFC's timers or one of the named
windows below (each defined once, here), so that a DUT with its own T1 is waited for at its own pace
and no test writes a multiple of T1 by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

__all__ = ["HOST_SLACK", "PROVISIONAL_REFRESH_INTERVAL", "TU_RESPONSE_WINDOW", "Timers"]

TU_RESPONSE_WINDOW = 0.2
"""§17.2.1: the INVITE server transaction "MUST generate a 100 (Trying) response unless it knows that the
TU will generate a provisional or final response within 200 ms": a fixed 200 ms, not scaled to T1."""

PROVISIONAL_REFRESH_INTERVAL = 60.0
"""§13.3.1.1: "To prevent cancellation, the UAS MUST send a non-100 provisional response at every minute":
the longest a ringing INVITE may go without a non-100 1xx (a proxy's Timer C is > 3 min, §16.6 step 11).
A fixed minute, not scaled to T1."""

HOST_SLACK = 0.5
"""What the test host itself may add to a measured wait (scheduling of both ends, a loaded loopback):
a fixed allowance, not scaled to T1, added on top of a window that a timer sets (see ``Timers.tolerance``)."""

_TOLERANCE = 1.5
"""A timer the DUT runs may run this much slower than its nominal value before a wait gives up on it."""


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

    # --- Named windows (each derived from the timers once; tests use these, never ``N * t1``) ---

    @property
    def settle(self) -> float:
        """Retransmissions already in flight arrive (2*T1: a copy sent at the last Timer A/E firing)."""
        return 2 * self.t1

    @property
    def immediately(self) -> float:
        """What the RFC calls "immediately" (e.g. §9.2 ¶3-4: the 200 to a CANCEL, the 487 to the INVITE):
        the stimulus and its retransmissions at T1 and 2*T1 have been sent, and one T1 more (4*T1). A
        response awaited as a precondition is given this long, not a full Timer B."""
        return 4 * self.t1

    @property
    def ack(self) -> float:
        """A client transaction ACKs a non-2xx final at once (§17.1.1.3) and a UAC's TU the 2xx (§13.2.2.4):
        window for that ACK, covering the final's own retransmissions at T1, 2*T1 and 4*T1 (8*T1)."""
        return 8 * self.t1

    @property
    def quiet(self) -> float:
        """How long "nothing more happens" is watched for: longer than a final response's first two
        retransmissions (10*T1), and at least one second so a fast-T1 DUT's own scheduling fits in."""
        return max(10 * self.t1, 2 * HOST_SLACK)

    @property
    def dialog_teardown(self) -> float:
        """A UAC's TU ends an unwanted dialog with BYE (§15, RFC 3261 §13.2.2.4): time for its 2xx, ACK and BYE
        with their retransmissions (16*T1)."""
        return 16 * self.t1

    def transmissions(self, count: int, *, cap: float | None = None) -> float:
        """The time ``count`` transmissions of a request take over UDP: T1 + 2*T1 + ... (``count`` - 1 gaps),
        each gap capped at ``cap`` (T2 for a non-INVITE, §17.1.2.2; none for an INVITE, §17.1.1.2)."""
        total, gap = 0.0, self.t1
        for _ in range(count - 1):
            total += gap if cap is None else min(gap, cap)
            gap *= 2
        return total

    def non_invite_intervals(self, count: int) -> list[float]:
        """§17.1.2.2: the first ``count`` gaps between the transmissions of a non-INVITE request over UDP in
        "Trying": Timer E starts at T1 and doubles on each firing, capped at T2."""
        return [min(self.t1 * 2 ** k, self.t2) for k in range(count)]

    @property
    def timer_e_reaches_t2(self) -> float:
        """RFC 4320 §4.1: "the amount of time it takes a client transaction's Timer E to be reset to T2"
        (T1 + 2*T1 + ... until the next interval is T2: 3.5 s with the default T1 and T2)."""
        elapsed, interval = 0.0, self.t1
        while interval < self.t2:
            elapsed += interval
            interval = min(2 * interval, self.t2)
        return elapsed

    def tolerance(self, window: float) -> float:
        """``window`` as a DUT's timer may stretch it (x1.5) plus the host's own slack (``HOST_SLACK``)."""
        return window * _TOLERANCE + HOST_SLACK

    # --- uac: what the UAC set (conformance/uac, flows/uac, verify/retransmission) waits for and allows ---

    @property
    def crossing(self) -> float:
        """A retransmission the DUT sent before the peer's response reached it may still arrive this long
        after the response was sent (T1/2): only a copy later than that shows the response was not taken."""
        return self.t1 / 2

    def schedule_bounds(self, due: float) -> tuple[float, float]:
        """The earliest and the latest a retransmission due ``due`` seconds after the first transmission
        (by Timer A or E) may come: the DUT's timer may run up to 1.6 times fast or slow, and each end may
        delay a datagram by T1/4."""
        return due / _SCHEDULE_DRIFT - self.t1 / 4, due * _SCHEDULE_DRIFT + self.t1 / 4


_SCHEDULE_DRIFT = 1.6
"""How much faster or slower than nominal a DUT's retransmission timer may run (``Timers.schedule_bounds``)."""
