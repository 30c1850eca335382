"""What a parsed message gets wrong that the lenient parser and its views read past (RFC 3261 §7, §20, §25).

``parse_message`` keeps every message it can frame, so that a test can still judge what a DUT sent, and
the views read what they need (a repeated To is read as its first). ``malformations(msg)`` is the other
half: the rules of the grammar and of §7.3.1/§20 the message breaks, each a ``Malformation`` naming the
rule and its section, so that nothing a DUT sends is read silently. Pure: no I/O, never raises.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from sipconform.sip.errors import ParseError
from sipconform.sip.grammar import BRANCH_MAGIC_COOKIE, is_token, long_name
from sipconform.sip.headers import NameAddr
from sipconform.sip.message import Message, Request
from sipconform.sip.uri import SipUri, split_outside_quotes

__all__ = ["SINGLE_INSTANCE", "Malformation", "malformations"]


@dataclass(frozen=True)
class Malformation:
    """One broken rule: ``rule`` a short stable code, ``section`` where the RFC states it, ``detail`` what
    this message does."""

    rule: str
    section: str
    detail: str

    def __str__(self) -> str:
        return f"{self.detail} ({self.section})"


SINGLE_INSTANCE = {"to": "§20.39", "from": "§20.20", "call-id": "§20.8", "cseq": "§20.16", "max-forwards": "§20.22"}
"""Header fields that are no comma-separated list, so appear once (§7.3.1), -> their section in §20."""

# Fields holding a name-addr or an addr-spec (§25.1), and those among them that are comma lists.
_ADDRESS_FIELDS = ("from", "to", "contact", "route", "record-route", "reply-to")
_LISTS_CHECKED = ("via", "contact", "route", "record-route")
# §25.1 rfc1123-date = wkday "," SP date1 SP time SP "GMT"; §20.17: "SIP only supports the GMT time zone".
_SIP_DATE = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                       r"[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT")
# §25.1 absoluteURI = scheme ":" ( hier-part / opaque-part ): no spaces, controls or angle brackets.
_ABSOLUTE_URI = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*:[^\s<>\"\x00-\x1f\x7f]+")


def malformations(msg: Message) -> list[Malformation]:
    """The rules ``msg`` breaks, in the order checked (empty for a well-formed message)."""
    found: list[Malformation] = []
    _start_line(msg, found)
    _single_instance(msg, found)
    _values(msg, found)
    _addresses(msg, found)
    _lists(msg, found)
    date = msg.header("date")
    if date is not None and _SIP_DATE.fullmatch(date) is None:
        found.append(Malformation("date", "RFC 3261 §20.17, §25.1",
                                  f"Date {date[:60]!r} is not an rfc1123-date in GMT"))
    return found


def _start_line(msg: Message, found: list[Malformation]) -> None:
    """§7.1/§7.2: version "SIP/2.0"; §7.1: a Request-URI is a URI, neither in "<>" nor with spaces;
    §19.1.1 Table 1: no headers in a SIP Request-URI; §8.1.1.5: the CSeq method is the request's."""
    line = msg.start_line
    version = line.rpartition(" ")[2] if isinstance(msg, Request) else line.partition(" ")[0]
    if version.upper() != "SIP/2.0":
        found.append(Malformation("sip-version", "RFC 3261 §7.1, §7.2",
                                  f"protocol version {version[:20]!r}, not SIP/2.0"))
    if not isinstance(msg, Request):
        return
    try:
        uri, request_method = msg.uri, msg.method
    except ParseError as exc:  # a Request built by hand: the parser checks the Request-Line
        found.append(Malformation("request-line", "RFC 3261 §7.1", str(exc)))
        return
    if _ABSOLUTE_URI.fullmatch(uri) is None:
        found.append(Malformation("request-uri", "RFC 3261 §7.1, §25.1",
                                  f"Request-URI {uri[:80]!r} is not a URI"))
    elif uri[:4].lower() == "sip:" or uri[:5].lower() == "sips:":
        try:
            headers = SipUri.parse(uri).headers
        except ParseError as exc:
            found.append(Malformation("request-uri", "RFC 3261 §19.1.1, §25.1", f"Request-URI: {exc}"))
        else:
            if headers:
                found.append(Malformation("request-uri-headers", "RFC 3261 §19.1.1 (Table 1)",
                                          f"headers {'&'.join(f'{n}={v}' for n, v in headers)[:60]!r} "
                                          f"in the Request-URI"))
    cseq = msg.header("cseq")
    method = cseq.split()[-1] if cseq and cseq.split() else None
    if method is not None and method != request_method:
        found.append(Malformation("cseq-method", "RFC 3261 §8.1.1.5, §20.16",
                                  f"CSeq method {method!r} differs from the request method {request_method!r}"))


def _single_instance(msg: Message, found: list[Malformation]) -> None:
    counts = Counter(h.key for h in msg.headers if h.key in SINGLE_INSTANCE)
    for key, section in SINGLE_INSTANCE.items():
        if counts[key] > 1:
            found.append(Malformation("single-instance", f"RFC 3261 §7.3.1, {section}",
                                      f"{counts[key]} {long_name(key)} header fields, where one is allowed"))


def _values(msg: Message, found: list[Malformation]) -> None:
    """The values the suite reads: every Via, CSeq, Max-Forwards (0-255, §20.22), a bare-cookie branch."""
    checks = (("Via", lambda: msg.vias), ("CSeq", lambda: msg.cseq), ("Max-Forwards", lambda: msg.max_forwards))
    for name, view in checks:
        try:
            view()
        except ParseError as exc:
            found.append(Malformation("header-value", "RFC 3261 §25.1", f"{name}: {exc}"))
    try:
        max_forwards = msg.max_forwards
    except ParseError:
        max_forwards = None
    if max_forwards is not None and max_forwards > 255:
        found.append(Malformation("max-forwards-range", "RFC 3261 §20.22",
                                  f"Max-Forwards {max_forwards} is not in the range 0-255"))
    try:
        vias = msg.vias
    except ParseError:
        return
    for via in vias:
        if via.branch == BRANCH_MAGIC_COOKIE:
            found.append(Malformation("branch-cookie-only", "RFC 3261 §8.1.1.7",
                                      f"Via branch {via.branch!r} is the magic cookie alone: no transaction id"))


def _addresses(msg: Message, found: list[Malformation]) -> None:
    """§25.1 name-addr / addr-spec: readable; display-name = *(token LWS) / quoted-string; no LWS inside
    "<" ">" (LAQUOT addr-spec RAQUOT); §20.10: an addr-spec with "," "?" or ";" in "<>" (``NameAddr``)."""
    for key in _ADDRESS_FIELDS:
        name = long_name(key)
        for value in msg.header_values(key):
            if key == "contact" and value.strip() == "*":
                continue
            if "<" not in value and any(c in value.partition(";")[0] for c in "?,"):
                found.append(Malformation("addr-spec-brackets", "RFC 3261 §20.10",
                                          f"{name} URI {value.partition(';')[0].strip()[:60]!r} holds '?' or ',' "
                                          f"but is not in <>"))
                continue
            try:
                addr = NameAddr.parse(value)
            except ParseError as exc:
                found.append(Malformation("header-value", "RFC 3261 §20.10, §25.1", f"{name}: {exc}"))
                continue
            display = addr.display_name
            if display is not None and not display.startswith('"') and not all(
                    is_token(word) for word in display.split()):
                found.append(Malformation("display-name", "RFC 3261 §25.1",
                                          f"{name} display name {display[:40]!r} is neither tokens nor quoted"))
            if "<" in addr.text and f"<{addr.uri}>" not in addr.text:
                found.append(Malformation("addr-spec-spaces", "RFC 3261 §25.1",
                                          f"{name} has spaces inside its <> around {addr.uri[:60]!r}"))


def _lists(msg: Message, found: list[Malformation]) -> None:
    """§7.3.1 and §25.1: no empty element in a comma list (``a,,b``), no empty parameter (``;;``)."""
    for h in msg.headers:
        if h.key not in _LISTS_CHECKED and h.key not in ("from", "to"):
            continue
        elements = split_outside_quotes(h.value, ",") if h.key in _LISTS_CHECKED else [h.value]
        if any(not e.strip() for e in elements):
            found.append(Malformation("empty-element", "RFC 3261 §7.3.1",
                                      f"{long_name(h.key)} {h.value[:60]!r} has an empty list element"))
        elif any(not p.strip() for e in elements for p in split_outside_quotes(e, ";")[1:]):
            found.append(Malformation("empty-element", "RFC 3261 §25.1",
                                      f"{long_name(h.key)} {h.value[:60]!r} has an empty parameter"))
