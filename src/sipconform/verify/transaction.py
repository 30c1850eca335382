"""What an INVITE server transaction does with a retransmission of its INVITE (RFC 3261 §17.2.1, RFC 6026 §7.1)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sipconform.sip import Request, Response, cancel_matches

__all__ = ["cancel_not_matched", "taken_for_new_request"]


def taken_for_new_request(to_tag: str | None, answered: Sequence[Response]) -> list[str]:
    """RFC6026-7.1-2: a retransmitted INVITE is absorbed by its transaction (at most copies of the most recent
    provisional response, To tag ``to_tag``), not processed as a new request: no final response to it, and no
    response with another To tag."""
    return [f"{r.start_line!r} with To tag {r.to.tag!r} (the call's 18x had {to_tag!r})" for r in answered
            if r.is_final or (r.status > 100 and r.to.tag != to_tag)][:1]


def cancel_not_matched(response: Response | None, forwarded: Request | None, invite: Request, *,
                       relayed: Callable[[Response], object]) -> list[str]:
    """RFC 3261 §16.10 as RFC6026-6-2 and RFC6026-7.1-2 use it: the proxy matched the CANCEL to the INVITE's
    server transaction when it answers it 200 itself (not a response ``relayed`` from the branch, not 481) and
    sends the branch a CANCEL of the branch's ``invite`` (same branch parameter, §9.1); else what happened."""
    answer = "no response" if response is None else (
        repr(response.start_line) + (" relayed from the branch" if relayed(response) else ""))
    if forwarded is None:
        fate = "it was not forwarded to the branch"
    elif not cancel_matches(invite, forwarded):
        fate = (f"it reached the branch with branch={forwarded.top_via.branch}, not that of the branch's INVITE "
                "(as a CANCEL matching no transaction is forwarded)")
    else:
        fate = "it was forwarded to the branch"
    own_200 = response is not None and response.status == 200 and not relayed(response)
    if own_200 and forwarded is not None and cancel_matches(invite, forwarded):
        return []
    return [f"the CANCEL got {answer}, and {fate}"]
