"""Server-transaction matching (§17.2.3) and the CANCEL-to-INVITE pairing of §9.2.

"The TU determines the transaction to be cancelled by taking the CANCEL request, and then assuming
that the request method is anything but CANCEL or ACK and applying the transaction matching
procedures of Section 17.2.3." (§9.2)
"""

from __future__ import annotations

from typing import Hashable

from sipconform.sip.headers import Via
from sipconform.sip.message import Request

__all__ = ["cancel_matches", "matches_transaction", "transaction_key"]


def _sent_by(via: Via) -> tuple[str, int | None]:
    return via.host.lower(), via.port


def _via_2543(via: Via) -> tuple[object, ...]:
    """A Via compared field by field (§20.42): protocol, sent-by, parameters in any order."""
    params = tuple(sorted((k.lower(), (v or "").lower()) for k, v in via.params))
    return via.sent_protocol, _sent_by(via), params


def transaction_key(req: Request, *, method: str | None = None) -> Hashable:
    """The key of the server transaction ``req`` belongs to (§17.2.3).

    With an RFC 3261 branch: (branch, sent-by, method), ACK counting as INVITE. Without the magic
    cookie, the RFC 2543 fields: Request-URI, To tag, From tag, Call-ID, CSeq number, top Via.
    ``method`` overrides the method (CANCEL matching uses the cancelled request's method).
    """
    via = req.top_via
    method = method or ("INVITE" if req.method == "ACK" else req.method)
    if via.is_rfc3261_branch:
        return ("3261", via.branch, _sent_by(via), method)
    to_tag = None if req.method == "ACK" else req.to.tag
    return ("2543", req.uri, to_tag, req.from_.tag, req.call_id, req.cseq.number, _via_2543(via), method)


def matches_transaction(original: Request, req: Request) -> bool:
    """Does ``req`` belong to the server transaction ``original`` created (§17.2.3)?

    A retransmission of ``original`` matches, and so does the ACK for a non-2xx final response to an
    INVITE. For the RFC 2543 ACK rule the To tag is not compared here (it is the tag of the server's
    response, which this function does not know); the caller checks it.
    """
    if req.method == "ACK" and original.method == "INVITE" and not req.top_via.is_rfc3261_branch:
        return _key_2543_without_to_tag(original) == _key_2543_without_to_tag(req)
    return transaction_key(original) == transaction_key(req)


def cancel_matches(invite: Request, cancel: Request) -> bool:
    """Does ``cancel`` cancel the server transaction of ``invite`` (§9.2 + §17.2.3)?"""
    if cancel.top_via.is_rfc3261_branch != invite.top_via.is_rfc3261_branch:
        return False
    return transaction_key(cancel, method=invite.method) == transaction_key(invite)


def _key_2543_without_to_tag(req: Request) -> Hashable:
    return (req.uri, req.from_.tag, req.call_id, req.cseq.number, _via_2543(req.top_via))
