"""Builders that are correct by construction; the result is an ordinary message a test may then break.

``cancel_for`` follows §9.1, ``ack_for_non2xx`` §17.1.1.3, ``response_to`` §8.2.6. To break a rule on
purpose, edit what a builder returns (``set_header``, ``remove_header``, ``with_method`` ...), or send
raw bytes.
"""

from __future__ import annotations

import hashlib
from typing import Iterable, Sequence

from sipconform.sip.grammar import reason_phrase
from sipconform.sip.headers import NameAddr
from sipconform.sip.message import HeaderField, Message, Request, Response

__all__ = ["ack_for_2xx", "ack_for_non2xx", "cancel_for", "default_to_tag", "in_dialog_request", "request",
           "response_to"]

Headers = Iterable[tuple[str, str]]


def _fields(pairs: Headers) -> list[HeaderField]:
    return [HeaderField.make(name, value) for name, value in pairs]


def request(method: str, uri: str, headers: Headers, body: bytes = b"") -> Request:
    """A request from ordered ``(name, value)`` pairs; Content-Length is appended when missing."""
    fields = _fields(headers)
    if not any(f.key == "content-length" for f in fields):
        fields.append(HeaderField.make("Content-Length", str(len(body))))
    return Request(f"{method} {uri} SIP/2.0", tuple(fields), body)


def _copy(msg: Message, names: Sequence[str]) -> list[tuple[str, str]]:
    """The fields called ``names`` as ``(name, value)``, in the source's order and spelling."""
    keys = set(names)
    return [(h.name, h.value) for h in msg.headers if h.key in keys]


# RFC 3841 §5: "The Accept-Contact, Reject-Contact, and Request-Disposition header fields in an ACK for a
# non-2xx final response, or in a CANCEL request, MUST be equal to the values in the original request".
CALLER_PREFERENCES = ("accept-contact", "reject-contact", "request-disposition")


def cancel_for(invite: Request, *, extra: Headers = ()) -> Request:
    """The CANCEL for ``invite`` (§9.1).

    "The Request-URI, Call-ID, To, the numeric part of CSeq, and From header fields in the CANCEL
    request MUST be identical to those in the request being cancelled, including tags. A CANCEL
    constructed by a client MUST have only a single Via header field value matching the top Via value
    in the request being cancelled." Route values are copied (§9.1 ¶4); no Require or Proxy-Require. The
    caller preferences are copied (RFC 3841 §5).
    """
    headers: list[tuple[str, str]] = [("Via", invite.top_via.text)]
    headers += _copy(invite, ["route", *CALLER_PREFERENCES])
    headers += [("Max-Forwards", "70")]
    headers += _copy(invite, ["from", "to", "call-id"])
    headers += [("CSeq", f"{invite.cseq.number} CANCEL"), *extra]
    return request("CANCEL", invite.uri, headers)


def ack_for_non2xx(invite: Request, response: Response, *, extra: Headers = ()) -> Request:
    """The ACK a client transaction sends for a non-2xx final response (§17.1.1.3).

    Request-URI, Call-ID, From and CSeq number of the INVITE, CSeq method ACK, the To of the response
    (with its tag), one Via equal to the INVITE's top Via, and the INVITE's Route values (and caller
    preferences, RFC 3841 §5).
    """
    headers: list[tuple[str, str]] = [("Via", invite.top_via.text)]
    headers += _copy(invite, ["route", *CALLER_PREFERENCES])
    headers += [("Max-Forwards", "70")]
    headers += _copy(invite, ["from"]) + [("To", response.to.text)] + _copy(invite, ["call-id"])
    headers += [("CSeq", f"{invite.cseq.number} ACK"), *extra]
    return request("ACK", invite.uri, headers)


def ack_for_2xx(invite: Request, response: Response, *, via: str, extra: Headers = ()) -> Request:
    """The end-to-end ACK for a 2xx (§13.2.2.4): a new transaction within the dialog, with the CSeq
    number of the INVITE."""
    return in_dialog_request("ACK", invite, response, via=via, cseq_number=invite.cseq.number, extra=extra)


def response_to(req: Request, status: int, reason: str | None = None, *, to_tag: str | None = None,
                extra: Headers = (), body: bytes = b"") -> Response:
    """A response built per §8.2.6.2.

    "The From field of the response MUST equal the From header field of the request. The Call-ID ...
    MUST equal ... The CSeq ... MUST equal ... The Via header field values in the response MUST equal
    the Via header field values in the request and MUST maintain the same ordering." If the request's
    To has no tag, one is added: ``to_tag``, or else (for every status but 100, where the tag is
    optional) a tag derived from the request, so that every response to one request carries the same
    tag (§8.2.6.2 ¶2, §19.3). A 100 copies the request's Timestamp (§8.2.6.1).
    """
    to = req.to
    to_value = to.text
    if to.tag is None:
        if to_tag is None and status != 100:
            to_tag = default_to_tag(req)
        if to_tag is not None:
            to_value = f"{to.text};tag={to_tag}"
    headers = [(h.name, h.value) for h in req.headers if h.key == "via"]
    headers += _copy(req, ["from"]) + [("To", to_value)] + _copy(req, ["call-id", "cseq"])
    if status == 100:
        headers += _copy(req, ["timestamp"])
    headers += list(extra)
    fields = _fields(headers)
    fields.append(HeaderField.make("Content-Length", str(len(body))))
    return Response(f"SIP/2.0 {status} {reason or reason_phrase(status)}", tuple(fields), body)


def in_dialog_request(method: str, invite: Request, response: Response, *, via: str, cseq_number: int,
                      extra: Headers = ()) -> Request:
    """A request within the dialog ``response`` (2xx or tagged 1xx) set up for ``invite`` (§12.2.1.1):
    Request-URI the remote target (Contact), Route the reversed Record-Route, To with the remote tag."""
    contacts = response.header_values("contact")
    target = NameAddr.parse(contacts[0]).uri if contacts else invite.uri
    routes = [("Route", rr.text) for rr in reversed(response.record_routes)]
    headers: list[tuple[str, str]] = [("Via", via), *routes, ("Max-Forwards", "70")]
    headers += _copy(invite, ["from"]) + [("To", response.to.text)] + _copy(invite, ["call-id"])
    headers += [("CSeq", f"{cseq_number} {method}"), *extra]
    return request(method, target, headers)


def default_to_tag(req: Request) -> str:
    """A To tag for responses to ``req``: the same for the same request, different for another
    (derived from Call-ID, From tag, CSeq and top Via branch; §19.3 asks for 32 bits of randomness,
    which a hash of those gives a test peer without a random source)."""
    from_tag = req.from_.tag or ""
    seed = "\0".join((req.call_id, from_tag, str(req.cseq.number), req.top_via.branch or "", req.uri))
    return hashlib.blake2s(seed.encode("utf-8"), digest_size=5).hexdigest()
