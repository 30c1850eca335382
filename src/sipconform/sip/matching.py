"""Server-transaction matching (§17.2.3) and the CANCEL-to-INVITE pairing of §9.2.

"The TU determines the transaction to be cancelled by taking the CANCEL request, and then assuming
that the request method is anything but CANCEL or ACK and applying the transaction matching
procedures of Section 17.2.3." (§9.2)
"""

from __future__ import annotations

from typing import Hashable

from sipconform.sip.headers import Via
from sipconform.sip.message import Request
from sipconform.sip.uri import uri_equal

__all__ = ["cancel_matches", "matches_transaction", "transaction_key"]


def _sent_by(via: Via) -> tuple[str, int | None]:
    return via.host.lower(), via.port


def _lower(value: str | None) -> str | None:
    """§7.3.1: "Unless otherwise stated in the definition of a particular header field, field values,
    parameter names, and parameter values are case-insensitive. Tokens are always case-insensitive."
    So branch and tag values compare without case; a Call-ID does not (§8.1.1.4, §20.8)."""
    return None if value is None else value.lower()


def _via_2543(via: Via) -> tuple[object, ...]:
    """A Via compared field by field (§20.42): protocol, sent-by, parameters in any order."""
    params = tuple(sorted((k.lower(), (v or "").lower()) for k, v in via.params))
    return via.sent_protocol, _sent_by(via), params


def transaction_key(req: Request, *, method: str | None = None) -> Hashable:
    """The key of the server transaction ``req`` belongs to (§17.2.3).

    With an RFC 3261 branch: (branch, sent-by, method), ACK counting as INVITE; the branch and the
    sent-by host compare without case (§7.3.1). Without the magic
    cookie, the RFC 2543 fields: Request-URI, To tag, From tag, Call-ID, CSeq number, top Via.
    ``method`` overrides the method (CANCEL matching uses the cancelled request's method).
    The 2543 key holds the Request-URI as written; ``matches_transaction`` and ``cancel_matches``
    compare it by the rules of §19.1.4 instead.
    """
    via = req.top_via
    method = method or ("INVITE" if req.method == "ACK" else req.method)
    if via.is_rfc3261_branch:
        return ("3261", _lower(via.branch), _sent_by(via), method)
    to_tag = None if req.method == "ACK" else _lower(req.to.tag)
    return ("2543", req.uri, to_tag, _lower(req.from_.tag), req.call_id, req.cseq.number, _via_2543(via), method)


def _same_2543(original: Request, req: Request, *, to_tag: bool) -> bool:
    """§17.2.3 for a request without the magic cookie: "the Request-URI, To tag, From tag, Call-ID,
    CSeq, and top Via header field match those of the INVITE request which created the transaction
    ... Matching is done based on the matching rules defined for each of those header fields."
    Request-URIs compare per §19.1.4; Call-IDs byte by byte (§20.8); the method is the caller's job."""
    return (
        req.call_id == original.call_id
        and req.cseq.number == original.cseq.number
        and _lower(req.from_.tag) == _lower(original.from_.tag)
        and (not to_tag or _lower(req.to.tag) == _lower(original.to.tag))
        and _via_2543(req.top_via) == _via_2543(original.top_via)
        and uri_equal(req.uri, original.uri)
    )


def matches_transaction(original: Request, req: Request) -> bool:
    """Does ``req`` belong to the server transaction ``original`` created (§17.2.3)?

    A retransmission of ``original`` matches, and so does the ACK for a non-2xx final response to an
    INVITE. For the RFC 2543 ACK rule the To tag is not compared here (it is the tag of the server's
    response, which this function does not know); the caller checks it.
    """
    via, orig_via = req.top_via, original.top_via
    if via.is_rfc3261_branch or orig_via.is_rfc3261_branch:
        return transaction_key(original) == transaction_key(req)
    method = "INVITE" if req.method == "ACK" else req.method
    if method != original.method:
        return False
    return _same_2543(original, req, to_tag=req.method != "ACK")


def cancel_matches(invite: Request, cancel: Request) -> bool:
    """Does ``cancel`` cancel the server transaction of ``invite`` (§9.2 + §17.2.3)?"""
    if cancel.method != "CANCEL" or invite.method in ("CANCEL", "ACK"):
        return False  # §9.2: the cancelled request's method is "anything but CANCEL or ACK"
    via, invite_via = cancel.top_via, invite.top_via
    if via.is_rfc3261_branch != invite_via.is_rfc3261_branch:
        return False
    if via.is_rfc3261_branch:
        return transaction_key(cancel, method=invite.method) == transaction_key(invite)
    return _same_2543(invite, cancel, to_tag=True)
