"""Checks that the DUT (as proxy) sent nothing of a kind within a window (a CANCEL down a branch, a final
response up to the UAC): each returns the problems found, naming the first message that came."""

from __future__ import annotations

from collections.abc import Sequence

from sipconform.sip import Request, Response

__all__ = ["no_cancel", "no_final"]

MARK = "X-Sipconform-Origin"


def no_cancel(at: str, cancels: Sequence[Request]) -> list[str]:
    """``at`` (a downstream peer) was to get no CANCEL; ``cancels`` are the ones it got."""
    if not cancels:
        return []
    first = cancels[0]
    return [f"{at}: expected no CANCEL here; got {first.start_line!r} (Via {first.top_via.text!r})"]


def no_final(finals: Sequence[Response]) -> list[str]:
    """The UAC was to get no final response to its INVITE; ``finals`` are the ones it got."""
    if not finals:
        return []
    first = finals[0]
    return [(f"the UAC: expected no final response to the INVITE here; got {first.start_line!r} "
             f"(from {first.header(MARK) or 'the DUT'})")]
