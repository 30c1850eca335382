"""Retransmission schedules read from the wire log: when each copy of a request arrived, against the
schedule its client transaction's timer sets (Timer E of a non-INVITE, §17.1.2.2; Timer A of an INVITE,
§17.1.1.2), for any role that retransmits."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate

from sipconform.sip.timers import Timers

__all__ = ["schedule_problems"]


def schedule_problems(times: Sequence[float], intervals: Sequence[float], timers: Timers, what: str) -> list[str]:
    """Each transmission after the first (``times``, in order) against when the timer has it due: the sum of
    the ``intervals`` before it, counted from the first transmission (``Timers.schedule_bounds``). The
    cumulative schedule is judged, not each gap alone: a datagram delayed on the way makes its gap long and
    the next one short, while the DUT's timer kept its pace. ``what`` names the timer in the message."""
    problems = []
    for k, (at, due) in enumerate(zip((t - times[0] for t in times[1:]), accumulate(intervals), strict=False), start=2):
        earliest, latest = timers.schedule_bounds(due)
        if not earliest <= at <= latest:
            problems.append(f"transmission {k} came {at:.3f} s after the first; {what} has it due at {due:.3g} s")
    return problems
