"""What an INVITE server transaction does with a retransmission of its INVITE (RFC 3261 §17.2.1, RFC 6026 §7.1)."""

from __future__ import annotations

from collections.abc import Sequence

from sipconform.sip import Response

__all__ = ["taken_for_new_request"]


def taken_for_new_request(to_tag: str | None, answered: Sequence[Response]) -> list[str]:
    """RFC6026-7.1-2: a retransmitted INVITE is absorbed by its transaction (at most copies of the most recent
    provisional response, To tag ``to_tag``), not processed as a new request: no final response to it, and no
    response with another To tag."""
    return [f"{r.start_line!r} with To tag {r.to.tag!r} (the call's 18x had {to_tag!r})" for r in answered
            if r.is_final or (r.status > 100 and r.to.tag != to_tag)][:1]
