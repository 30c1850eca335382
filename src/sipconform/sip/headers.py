"""Parsed views of the header fields CANCEL is about: Via, From/To/Route (name-addr), CSeq (§20, §25.1).

Each view is a frozen dataclass built from a header *value* (one element of a comma list). The views
are read-only; the message model keeps the exact text, so nothing here ever rewrites the wire.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sipconform.sip.errors import ParseError
from sipconform.sip.grammar import BRANCH_MAGIC_COOKIE, cached_property, is_token, parse_number
from sipconform.sip.uri import HOST_PATTERN, SipUri, param_value, parse_params, split_hostport, split_outside_quotes

__all__ = ["CSeq", "NameAddr", "Via", "split_list"]

_new_object = object.__new__


def _build(cls: type, attrs: dict[str, object]) -> object:
    """``cls(**attrs)`` for the frozen views below, without the frozen-dataclass ``__init__`` (one
    ``object.__setattr__`` per field, a third of the cost of parsing a value). ``attrs`` must hold
    exactly the dataclass fields; the instance is equal, hashed and printed like one made by ``cls``.
    """
    obj: object = _new_object(cls)
    obj.__dict__.update(attrs)
    return obj


def split_list(value: str) -> list[str]:
    """Split a comma-joined header value into its elements (§7.3.1), respecting quotes and <...>."""
    if "," not in value:
        return [value.strip()] if value.strip() else []
    return [part.strip() for part in split_outside_quotes(value, ",") if part.strip()]


# §25.1: via-parm = sent-protocol LWS sent-by *( SEMI via-params ); sent-protocol = protocol-name SLASH
# protocol-version SLASH transport, with SLASH = SWS "/" SWS; sent-by = host [ COLON port ]. The
# parameters start at the first ";" (none of the parts before may hold one). The last group is greedy
# and the text is stripped first, so the match is linear whatever the whitespace.
_VIA_HEAD = re.compile(r"([^\s/;]+)\s*/\s*([^\s/;]+)\s*/\s*([^\s/;]+)\s+(.+)", re.S)
# The same with the three sent-protocol parts as tokens (§25.1): one match instead of four when the
# Via is well formed, which it nearly always is. Where this matches, _VIA_HEAD matches with the same
# groups; where it does not, the two-step check below gives the precise error.
_VIA_HEAD_TOKENS = re.compile(
    r"([A-Za-z0-9\-.!%*_+`'~]+)\s*/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s*/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+(.+)", re.S)

# The common Via, ``SIP/2.0/UDP host[:port][;params]``: one space run after the transport, no spaces
# around the port's colon, a port of at most 5 digits, the parameters right after the sent-by. Where it
# matches, the careful path finds the same parts, and ``split_hostport(sent_by, sws=True)`` gives the
# host and port groups (same host pattern), so the sent-by needs no second look; else the careful way.
_VIA_FAST = re.compile(
    rf"([A-Za-z0-9\-.!%*_+`'~]+)/([A-Za-z0-9\-.!%*_+`'~]+)/([A-Za-z0-9\-.!%*_+`'~]+)[ \t]+"
    rf"(({HOST_PATTERN})(?::([0-9]{{1,5}}))?)(;.*)?", re.S)


@dataclass(frozen=True)
class Via:
    """One Via value (§20.42): ``SIP/2.0/UDP host:port;branch=...;rport;received=...``.

    ``parse`` checks the sent-protocol, the sent-by (host and optional port) and the parameter list,
    so a garbage Via is a ``ParseError`` at once, not a surprise later.
    """

    text: str
    protocol: str
    version: str
    transport: str
    sent_by: str
    params: tuple[tuple[str, str | None], ...]

    @classmethod
    def parse(cls, text: str) -> Via:
        text = text.strip()
        m = _VIA_FAST.fullmatch(text)
        if m is not None:
            proto, version, transport, sent_by, host, port, params = m.groups()
            quick: Via = _new_object(cls)  # ``_build``, inlined: a message may carry a dozen Vias
            attrs = quick.__dict__
            attrs["text"] = text
            attrs["protocol"] = proto
            attrs["version"] = version
            attrs["transport"] = transport
            attrs["sent_by"] = sent_by
            attrs["params"] = parse_params(params) if params else ()
            attrs["_hostport"] = (host, None if port is None else int(port))  # the cached property's value
            return quick
        semi = text.find(";")
        head, params = (text, "") if semi < 0 else (text[:semi].rstrip(), text[semi:])
        m = _VIA_HEAD_TOKENS.fullmatch(head)
        if m is None:
            m = _VIA_HEAD.fullmatch(head)
            if m is None:
                raise ParseError("value", f"malformed Via value: {text[:80]!r}")
            proto, version, transport, sent_by = m.groups()
            if not (is_token(proto) and is_token(version) and is_token(transport)):
                raise ParseError("value", f"malformed sent-protocol in Via: {text[:80]!r}")
        proto, version, transport, sent_by = m.groups()
        via: Via = _build(cls, {"text": text, "protocol": proto, "version": version, "transport": transport,
                                "sent_by": sent_by, "params": parse_params(params)})  # type: ignore[assignment]
        via._hostport  # noqa: B018 - validate the sent-by now
        return via

    def __str__(self) -> str:
        return self.text

    def param(self, name: str) -> str | None:
        return param_value(self.params, name)

    @property
    def sent_protocol(self) -> str:
        """``SIP/2.0/UDP``, normalised (no spaces, upper-case name and transport)."""
        return f"{self.protocol.upper()}/{self.version}/{self.transport.upper()}"

    @cached_property
    def _hostport(self) -> tuple[str, int | None]:
        return split_hostport(self.sent_by, sws=True)

    @property
    def host(self) -> str:
        """Host of the sent-by as written; an IPv6 reference keeps its brackets."""
        return self._hostport[0]

    @property
    def port(self) -> int | None:
        return self._hostport[1]

    @property
    def branch(self) -> str | None:
        return param_value(self.params, "branch")

    @property
    def received(self) -> str | None:
        return self.param("received")

    @property
    def rport(self) -> str | None:
        """RFC 3581: None if absent, ``""`` if present without a value."""
        return self.param("rport")

    @property
    def is_rfc3261_branch(self) -> bool:
        """True when the branch starts with the magic cookie ``z9hG4bK`` (§8.1.1.7, §17.2.3) and goes on:
        the cookie alone identifies no transaction, so such a request is matched the RFC 2543 way (RFC 4475
        §3.2.1 allows this or a 400; ``malformations`` names it)."""
        branch = self.branch or ""
        return len(branch) > len(BRANCH_MAGIC_COOKIE) and branch.startswith(BRANCH_MAGIC_COOKIE)


# §25.1 quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


# The common name-addr, ``[display] <uri>[;params]`` in printable ASCII: a quoted display name (the
# language of ``_QUOTED``, written unrolled, which ``re`` matches faster) or words separated by
# spaces/tabs, then the URI in angle brackets with no spaces, quotes or brackets, then the parameters
# right after ``>``. Where it matches, the careful path of ``NameAddr.parse`` finds the same display
# name, URI and parameter text (the display name then needs no strip: its ends are not whitespace);
# anything else goes the careful way.
_WORD = r"[\x21\x23-\x3b\x3d\x3f-\x7e]+"  # printable ASCII but SP " < >
_NAME_ADDR_FAST = re.compile(
    rf'(?:("[^"\\]*(?:\\.[^"\\]*)*"|{_WORD}(?:[ \t]+{_WORD})*)[ \t]*)?<({_WORD})>(;[^"<>]*)?', re.S)


@dataclass(frozen=True)
class NameAddr:
    """From, To, Route, Record-Route, Contact value (§20.20, §20.39, §20.34): display name, URI, params.

    ``display_name`` is as written (quotes and escapes kept; ``display`` reads it). For an addr-spec
    without angle brackets, parameters after the URI belong to the header (§20.10). After ``>`` only
    ``;param`` may follow; anything else is a ``ParseError``.
    """

    text: str
    display_name: str | None
    uri: str
    params: tuple[tuple[str, str | None], ...]

    @classmethod
    def parse(cls, text: str) -> NameAddr:
        text = text.strip()
        m = _NAME_ADDR_FAST.fullmatch(text)
        if m is not None:
            display, uri, rest = m.groups()
            addr: NameAddr = _new_object(cls)  # ``_build``, inlined: every message has a From and a To
            attrs = addr.__dict__
            attrs["text"] = text
            attrs["display_name"] = display
            attrs["uri"] = uri
            attrs["params"] = parse_params(rest) if rest else ()
            return addr
        lt = _find_unquoted(text, "<")
        if lt >= 0:
            gt = text.find(">", lt)
            if gt < 0:
                raise ParseError("value", f"missing '>' in {text[:80]!r}")
            display = text[:lt].strip() or None
            if display is not None and ('"' in display and _QUOTED.fullmatch(display) is None):
                raise ParseError("value", f"malformed display name in {text[:80]!r}")
            uri = text[lt + 1: gt].strip()
            rest = text[gt + 1:].lstrip()
            if not uri or (rest and not rest.startswith(";")):
                raise ParseError("value", f"malformed name-addr {text[:80]!r}")
            return _build(cls, {"text": text, "display_name": display, "uri": uri,  # type: ignore[return-value]
                                "params": parse_params(rest)})
        if text.startswith('"'):
            raise ParseError("value", f"display name without <URI> in {text[:80]!r}")
        uri, _, params = text.partition(";")
        uri = uri.strip()
        # §20.10: an addr-spec holding ",", "?" or ";" must be in angle brackets; it never holds spaces.
        if not uri or any(c in uri for c in ' \t>"?,'):
            raise ParseError("value", f"malformed address {text[:80]!r}")
        return _build(cls, {"text": text, "display_name": None, "uri": uri,  # type: ignore[return-value]
                            "params": parse_params(params)})

    def __str__(self) -> str:
        return self.text

    @property
    def display(self) -> str | None:
        """The display name as text: quotes removed and quoted-pairs read (§25.1), else as written."""
        name = self.display_name
        if name is None or not name.startswith('"'):
            return name
        return re.sub(r"\\(.)", r"\1", name[1:-1], flags=re.S)

    @property
    def sip_uri(self) -> SipUri:
        return SipUri.parse(self.uri)

    def param(self, name: str) -> str | None:
        return param_value(self.params, name)

    @property
    def tag(self) -> str | None:
        return param_value(self.params, "tag")

    def without_tag(self) -> str:
        """The value with any ``tag`` parameter removed; the part up to the parameters as written."""
        if self.tag is None:
            return self.text
        lt = _find_unquoted(self.text, "<")
        head = self.text[: self.text.find(">", lt) + 1] if lt >= 0 else self.text.partition(";")[0].rstrip()
        rest = "".join(f";{k}" + (f"={v}" if v is not None else "") for k, v in self.params if k.lower() != "tag")
        return head + rest


def _find_unquoted(text: str, ch: str) -> int:
    if '"' not in text:
        return text.find(ch)
    in_quotes = False
    i = 0
    while i < len(text):
        c = text[i]
        if in_quotes:
            if c == "\\":
                i += 1
            elif c == '"':
                in_quotes = False
        elif c == '"':
            in_quotes = True
        elif c == ch:
            return i
        i += 1
    return -1


# The common CSeq, ``1 INVITE``: at most 10 ASCII digits, one space, a token. Where it matches, the
# careful path splits it the same way; anything else goes the careful way.
_CSEQ_FAST = re.compile(r"([0-9]{1,10}) ([A-Za-z0-9\-.!%*_+`'~]+)")
_CSEQ_QUICK = True  # the string-method check before ``_CSEQ_FAST`` (a switch for the tests)


@dataclass(frozen=True)
class CSeq:
    """CSeq (§20.16): a sequence number and a method, e.g. ``1 INVITE``. Methods are case-sensitive.

    §8.1.1.5: "The sequence number value MUST be expressible as a 32-bit unsigned integer and MUST be
    less than 2**31."
    """

    number: int
    method: str

    @classmethod
    def parse(cls, text: str) -> CSeq:
        digits, _, method = text.partition(" ")
        # What ``_CSEQ_FAST`` matches, without the pattern, when the method is ASCII letters (a token)
        if (_CSEQ_QUICK and 0 < len(digits) <= 10 and digits.isascii() and digits.isdigit() and method.isascii()
                and method.isalpha()):
            number = int(digits)
            m = None
        else:
            m = _CSEQ_FAST.fullmatch(text)
            number = -1 if m is None else int(m.group(1))
            method = "" if m is None else m.group(2)
        if 0 <= number < 2**31:
            cseq: CSeq = _new_object(cls)  # ``_build``, inlined
            attrs = cseq.__dict__
            attrs["number"] = number
            attrs["method"] = method
            return cseq
        parts = text.split()
        if len(parts) != 2 or not is_token(parts[1]):
            raise ParseError("value", f"malformed CSeq: {text[:80]!r}")
        number = parse_number(parts[0], what="CSeq number")
        if number >= 2**31:
            raise ParseError("value", f"CSeq number {number} is not less than 2**31 (§8.1.1.5)")
        return _build(cls, {"number": number, "method": parts[1]})  # type: ignore[return-value]

    def __str__(self) -> str:
        return f"{self.number} {self.method}"
