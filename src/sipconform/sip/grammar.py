"""Names and small pieces of RFC 3261 grammar (§7.3, §20, §25) shared by the core."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any, Callable, Generic, TypeVar

from sipconform.sip.errors import ParseError

__all__ = [
    "BRANCH_MAGIC_COOKIE", "COMPACT_FORMS", "LIST_HEADERS", "canonical_name", "is_token", "long_name",
    "parse_number", "reason_phrase",
]

# §7.3.3 compact forms, plus those registered later (IANA "Header Fields" registry).
COMPACT_FORMS: dict[str, str] = {
    "a": "Accept-Contact",       # RFC 3841
    "b": "Referred-By",          # RFC 3892
    "c": "Content-Type",         # RFC 3261
    "d": "Request-Disposition",  # RFC 3841
    "e": "Content-Encoding",     # RFC 3261
    "f": "From",                 # RFC 3261
    "i": "Call-ID",              # RFC 3261
    "j": "Reject-Contact",       # RFC 3841
    "k": "Supported",            # RFC 3261
    "l": "Content-Length",       # RFC 3261
    "m": "Contact",              # RFC 3261
    "o": "Event",                # RFC 6665
    "r": "Refer-To",             # RFC 3515
    "s": "Subject",              # RFC 3261
    "t": "To",                   # RFC 3261
    "u": "Allow-Events",         # RFC 6665
    "v": "Via",                  # RFC 3261
    "x": "Session-Expires",      # RFC 4028
    "y": "Identity",             # RFC 8224
}

_SPELLING = {long.lower(): long for long in COMPACT_FORMS.values()} | {
    name.lower(): name
    for name in ("CSeq", "Max-Forwards", "Route", "Record-Route", "Require", "Proxy-Require", "Allow",
                 "Reason", "Expires", "Authorization", "Proxy-Authorization", "WWW-Authenticate",
                 "Proxy-Authenticate", "User-Agent", "Server", "RSeq", "RAck", "Unsupported", "Timestamp")
}

# Header fields whose values may be joined with commas on one line (§7.3.1). Contact is a list
# but also takes "*"; WWW-Authenticate and friends carry commas inside one value, so never split.
LIST_HEADERS = frozenset(
    name.lower() for name in (
        "Via", "Route", "Record-Route", "Contact", "Allow", "Supported", "Require", "Proxy-Require",
        "Unsupported", "Accept", "Accept-Encoding", "Accept-Language", "Allow-Events", "Content-Encoding",
        "Content-Language", "In-Reply-To", "Reason", "Path", "Service-Route", "Accept-Contact",
        "Reject-Contact", "Request-Disposition", "Alert-Info", "Call-Info", "Error-Info", "Warning",
        "P-Asserted-Identity", "P-Preferred-Identity", "History-Info", "Security-Client", "Security-Server",
        "Security-Verify", "Resource-Priority", "Accept-Resource-Priority",
    )
)

# §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"), ASCII only.
TOKEN_RE = re.compile(r"[A-Za-z0-9\-.!%*_+`'~]+")

# §25.1: SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; a literal string in ABNF is case-insensitive (§7.1).
VERSION_RE = re.compile(r"[Ss][Ii][Pp]/[0-9]+\.[0-9]+")

# §8.1.1.7: branch values of RFC 3261 elements start with this cookie.
BRANCH_MAGIC_COOKIE = "z9hG4bK"


def canonical_name(name: str) -> str:
    """Lower-case long form of a header name: ``v`` and ``VIA`` both give ``via`` (§7.3.1, §7.3.3)."""
    lowered = name.lower()
    if len(lowered) == 1:
        long = COMPACT_FORMS.get(lowered)
        if long is not None:
            return long.lower()
    return lowered


def long_name(name: str) -> str:
    """Conventional spelling of a header name, for messages the suite builds: ``i`` gives ``Call-ID``."""
    canon = canonical_name(name)
    return _SPELLING.get(canon) or "-".join(part.capitalize() for part in canon.split("-"))


_REASONS = {
    100: "Trying", 180: "Ringing", 181: "Call Is Being Forwarded", 182: "Queued", 183: "Session Progress",
    200: "OK", 202: "Accepted", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 407: "Proxy Authentication Required", 408: "Request Timeout",
    420: "Bad Extension", 480: "Temporarily Unavailable", 481: "Call/Transaction Does Not Exist",
    482: "Loop Detected", 483: "Too Many Hops", 486: "Busy Here", 487: "Request Terminated",
    488: "Not Acceptable Here", 491: "Request Pending", 500: "Server Internal Error", 501: "Not Implemented",
    503: "Service Unavailable", 600: "Busy Everywhere", 603: "Decline",
}


def reason_phrase(status: int) -> str:
    """Default reason phrase (§21) for a status code."""
    return _REASONS.get(status, "Unknown")


def is_token(text: str) -> bool:
    """Is ``text`` a ``token`` of §25.1 (method names, header names, parameter names, transports)?"""
    return TOKEN_RE.fullmatch(text) is not None


def parse_number(text: str, *, kind: str = "value", what: str = "number", max_digits: int = 10) -> int:
    """ASCII ``1*DIGIT`` (§25.1) as an int, or ``ParseError(kind)``.

    ``str.isdigit`` alone is not enough: it accepts "²" (which ``int`` rejects) and "٣" (which ``int``
    reads as 3); and ``int`` refuses strings of more than 4300 digits. Leading zeros do not count
    towards ``max_digits``.
    """
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > max_digits:
        raise ParseError(kind, f"{what} is not a number of at most {max_digits} digits: {text[:40]!r}")
    return int(text)


# Lazily computed, cached views of the immutable message model (``Message.cseq``, ``Via._hostport``...).
if TYPE_CHECKING or sys.version_info >= (3, 12):
    from functools import cached_property as cached_property
else:
    _T = TypeVar("_T")

    class cached_property(Generic[_T]):  # noqa: N801 - a drop-in for functools.cached_property
        """``functools.cached_property`` without the class-wide lock Python 3.11 takes on every first
        access (3.12 dropped it): that lock was a third of the cost of reading ``cseq`` or ``to`` of a
        fresh message. The views are pure functions of an immutable message, so a race only computes
        a value twice."""

        def __init__(self, func: Callable[[Any], _T]) -> None:
            self.func = func
            self.attrname = func.__name__
            self.__doc__ = func.__doc__

        def __set_name__(self, owner: type, name: str) -> None:
            self.attrname = name

        def __get__(self, instance: Any, owner: type | None = None) -> Any:
            if instance is None:
                return self
            value = instance.__dict__[self.attrname] = self.func(instance)
            return value
