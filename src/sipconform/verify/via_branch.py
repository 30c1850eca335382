"""The top Via branch parameter of the CANCEL and the ACK (of a non-2xx) that a proxy sends down a branch: which
INVITE they belong to. ``same_branch``: RFC 3261 §16.6 step 8 (RFC3261-16.6-8a) and RFC 5393 §4.2.1
(RFC5393-4.2.1-1), which says it again for loop detection; ``cancels_invite``: whether a CANCEL cancels the
branch's INVITE at all, what every clause that has the proxy cancel a branch (§16.10, §16.7 step 10, §16.8)
looks at."""

from __future__ import annotations

from sipconform.sip import Request

__all__ = ["cancels_invite", "same_branch"]


def same_branch(request: Request, invite: Request, *, at: str, forwarded: bool) -> list[str]:
    """``request`` (a CANCEL, or the ACK of a non-2xx) that reached the branch ``at`` carries the top Via branch
    of the ``invite`` the DUT sent there. ``forwarded``: a stateless DUT forwarded both (the words say so)."""
    got, want = request.top_via.branch, invite.top_via.branch
    if got == want:
        return []
    what = f"the forwarded {request.method}" if forwarded else f"the DUT's {request.method}"
    invite_is = "the forwarded INVITE's" if forwarded else "its INVITE's"
    kind = " (for the 487)" if request.method == "ACK" else ""
    return [f"{at}: {what}{kind} branch {got!r} differs from {invite_is} {want!r}"]


def cancels_invite(invite: Request, cancel: Request, *, at: str) -> list[str]:
    """``cancel`` cancels the ``invite`` the DUT sent to the branch ``at``: its top Via branch is the INVITE's (what
    §9.2 and §17.2.3 match it by). How the rest is built is §9.1's (RFC3261-9.1-2 to 9.1-6)."""
    if cancel.top_via.branch == invite.top_via.branch:
        return []
    return [(f"{at} got a CANCEL with branch {cancel.top_via.branch!r}, which does not cancel its INVITE "
             f"(branch {invite.top_via.branch!r})")]
