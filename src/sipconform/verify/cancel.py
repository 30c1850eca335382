"""What a UAS does with a CANCEL (RFC 3261 §9.2, §17.2.3, §13.3.1.1): each check judges one clause."""

from __future__ import annotations

from collections.abc import Sequence

from sipconform.peer.wirelog import WireRecord
from sipconform.sip import Response

__all__ = ["cancel_answered_200", "refresh_problems", "stray_cancel_problems"]


def cancel_answered_200(response: Response) -> list[str]:
    """RFC3261-9.2-10: a CANCEL that matched an existing transaction is answered 200."""
    if response.status == 200:
        return []
    return [f"the CANCEL matched the ringing INVITE but got {response.start_line!r}"]


def stray_cancel_problems(what: str, answer: Response, ended: Sequence[WireRecord]) -> list[str]:
    """RFC3261-17.2.3-1/-2: a CANCEL (``what``) matching no transaction leaves the ringing INVITE pending: no
    final response to it (``ended``) after the CANCEL was answered ``answer``."""
    if not ended:
        return []
    return [(f"{what} ended the ringing INVITE with {ended[0].first_line!r} (the CANCEL was answered "
            f"{answer.start_line!r})")]


def refresh_problems(seen: Sequence[WireRecord], limit: float, count: int) -> list[str]:
    """RFC3261-13.3.1.1-1: after the first 18x (``seen[0]``), ``count`` more non-100 provisionals each within
    ``limit`` of the one before; ``seen`` ends early where one was late (a final response ending the ringing is
    no refresh, and no fault of this clause)."""
    refreshes = len(seen) - 1
    last = seen[-1].message
    if refreshes >= count or (isinstance(last, Response) and last.is_final):
        return []
    return [(f"no non-100 provisional response for {limit:.3g} s after the one at +{seen[-1].time:.3f} s while "
            f"the INVITE was ringing: one is due at every minute (refresh {refreshes + 1})")]
