"""The branch parameter of the CANCEL and the ACK (of a non-2xx) that a proxy sends down a branch: RFC 3261
§16.6 step 8 (RFC3261-16.6-8a) and RFC 5393 §4.2.1 (RFC5393-4.2.1-1), which says it again for loop detection."""

from __future__ import annotations

from sipconform.sip import Request

__all__ = ["same_branch"]


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
