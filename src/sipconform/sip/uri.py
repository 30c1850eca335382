"""SIP and SIPS URIs (RFC 3261 §19.1), parsed into a read-only view that keeps the text as written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from sipconform.sip.errors import ParseError
from sipconform.sip.grammar import parse_number

__all__ = ["SipUri", "param_value", "parse_params", "split_hostport", "split_outside_quotes", "uri_equal"]

# §25.1 scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*")
# §25.1 host = hostname / IPv4address / IPv6reference. Hostnames are taken leniently (an underscore, a
# trailing dot), but never with spaces, quotes or delimiters in them.
HOST_PATTERN = r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*)|\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\]"
_HOST = re.compile(HOST_PATTERN)
# Characters a parameter name can never hold, in a URI (pname) or a header (token).
_BAD_PARAM_NAME = frozenset(' \t"<>,=;')


def parse_params(text: str, sep: str = ";") -> tuple[tuple[str, str | None], ...]:
    """``;a=1;b`` (leading separator optional) into ``(("a", "1"), ("b", None))``, order kept.

    Values in double quotes may hold the separator. Names keep their case; compare with ``.lower()``.
    Empty items (``;;``) are skipped; a parameter without a name (``;=x``) is a ``ParseError``.
    """
    # The quick way, when no item needs stripping and no name can be bad or empty: no whitespace
    # (``str.split`` and ``str.strip`` agree on what that is), no quote or "<" (a plain split), none
    # of the other characters a name may not hold (``_BAD_PARAM_NAME``; ";" and "=" cannot be in a
    # name by construction), no item starting with "=" (a nameless parameter). What the careful loop
    # of ``_parse_params`` gives on such text (a hypothesis property checks).
    if (sep == ";" and text and '"' not in text and "<" not in text and ">" not in text and "," not in text
            and ";=" not in text and text[0] != "=" and text.split() == [text]):
        out = []
        for item in text.split(";"):
            if item:
                name, eq, value = item.partition("=")
                out.append((name, value if eq else None))
        return tuple(out)
    return _parse_params(text, sep)


def _parse_params(text: str, sep: str) -> tuple[tuple[str, str | None], ...]:
    """``parse_params`` the careful way: any separator, quotes, whitespace around the items."""
    out: list[tuple[str, str | None]] = []
    items = text.split(sep) if '"' not in text and "<" not in text else split_outside_quotes(text, sep)
    for item in items:
        item = item.strip()
        if not item:
            continue
        name, eq, value = item.partition("=")
        if eq:  # the item is stripped: the name can only end in spaces, the value only start with them
            name = name.rstrip()
            value = value.lstrip()
        if not name or not _BAD_PARAM_NAME.isdisjoint(name):
            raise ParseError("value", f"malformed parameter {item[:60]!r}")
        out.append((name, value if eq else None))
    return tuple(out)


def split_outside_quotes(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside double quotes and angle brackets (§7.3.1, §25.1 quoted-string)."""
    if '"' not in text and "<" not in text:
        return text.split(sep)
    parts: list[str] = []
    start = 0
    in_quotes = False
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if in_quotes:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_quotes = False
        elif ch == '"':
            in_quotes = True
        elif ch == "<":
            depth += 1
        elif ch == ">" and depth:
            depth -= 1
        elif ch == sep and not depth:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def param_value(params: tuple[tuple[str, str | None], ...], name: str) -> str | None:
    """Value of the first parameter called ``name`` (case-insensitive); ``""`` for a flag; None if absent."""
    lname = name.lower()
    for key, value in params:
        if key == lname or key.lower() == lname:  # the first test spares a ``lower`` in the usual case
            return "" if value is None else value
    return None


def split_hostport(text: str, *, sws: bool = False) -> tuple[str, int | None]:
    """``host[:port]`` into ``(host, port)``; an IPv6 reference keeps its brackets (§25.1 hostport).

    ``sws`` allows whitespace around the colon, as in a Via sent-by (``COLON = SWS ":" SWS``).
    Anything that is not a host and an optional port is a ``ParseError``.
    """
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ParseError("value", f"unterminated IPv6 reference in {text!r}")
        host, rest = text[: end + 1], text[end + 1:]
    else:
        colon = text.find(":")
        host, rest = (text, "") if colon < 0 else (text[:colon], text[colon:])
    if sws:
        host, rest = host.rstrip(), rest.strip()
    port: int | None = None
    if rest:
        if not rest.startswith(":"):
            raise ParseError("value", f"junk after the host in {text!r}")
        port_text = rest[1:].lstrip() if sws else rest[1:]
        port = parse_number(port_text, what=f"port in {text!r}", max_digits=5)
    if _HOST.fullmatch(host) is None:
        raise ParseError("value", f"not a host: {host[:60]!r}")
    return host, port


@dataclass(frozen=True)
class SipUri:
    """``sip:user:password@host:port;params?headers`` as written (§19.1.1). ``str(uri)`` is the text.

    Only the ``sip`` and ``sips`` schemes have a host and port here; any other scheme is a ``ParseError``
    from ``parse`` (§19.1: this is the SIP URI, not every absoluteURI a Request-URI may hold).
    """

    text: str

    @classmethod
    def parse(cls, text: str) -> SipUri:
        uri = cls(text.strip())
        uri.host  # noqa: B018 - validate eagerly
        return uri

    def __str__(self) -> str:
        return self.text

    @cached_property
    def _parts(self) -> tuple[str, str | None, str, str, str | None]:
        """``(scheme, userinfo or None, hostport, params, headers or None)``."""
        scheme, colon, rest = self.text.partition(":")
        if not colon or _SCHEME.fullmatch(scheme) is None:
            raise ParseError("value", f"not a URI: {self.text[:80]!r}")
        # "@" is never unescaped outside userinfo (§25.1), while userinfo may hold ";" and "?".
        at = rest.find("@")
        userinfo: str | None = None
        if at >= 0:
            userinfo, rest = rest[:at], rest[at + 1:]
            if not userinfo or userinfo.startswith(":"):
                raise ParseError("value", f"empty user part in URI {self.text[:80]!r}")
        query = rest.find("?")
        headers = None if query < 0 else rest[query + 1:]
        if query >= 0:
            rest = rest[:query]
        hostport, _, params = rest.partition(";")
        return scheme, userinfo, hostport, params, headers

    @property
    def scheme(self) -> str:
        return self._parts[0].lower()

    @property
    def user(self) -> str | None:
        userinfo = self._parts[1]
        return None if userinfo is None else userinfo.partition(":")[0]

    @property
    def password(self) -> str | None:
        userinfo = self._parts[1]
        if userinfo is None or ":" not in userinfo:
            return None
        return userinfo.partition(":")[2]

    @cached_property
    def _hostport(self) -> tuple[str, int | None]:
        if self.scheme not in ("sip", "sips"):
            raise ParseError("value", f"not a SIP or SIPS URI: {self.text[:80]!r}")
        return split_hostport(self._parts[2])

    @property
    def host(self) -> str:
        """Host as written; an IPv6 reference keeps its brackets."""
        return self._hostport[0]

    @property
    def port(self) -> int | None:
        return self._hostport[1]

    @cached_property
    def params(self) -> tuple[tuple[str, str | None], ...]:
        return parse_params(self._parts[3])

    def param(self, name: str) -> str | None:
        return param_value(self.params, name)

    @cached_property
    def headers(self) -> tuple[tuple[str, str], ...]:
        """``?a=1&b=2`` as ``(("a", "1"), ("b", "2"))`` (§19.1.1 headers), escapes kept."""
        text = self._parts[4]
        if not text:
            return ()
        out = []
        for item in text.split("&"):
            name, eq, value = item.partition("=")
            if not name or not eq:
                raise ParseError("value", f"malformed URI header {item[:60]!r} in {self.text[:80]!r}")
            out.append((name, value))
        return tuple(out)

    @property
    def transport(self) -> str | None:
        value = self.param("transport")
        return value.lower() if value else None

    def equivalent(self, other: SipUri) -> bool:
        """URI comparison of §19.1.4 (not string equality); see ``uri_equal``."""
        return uri_equal(self.text, other.text)


# RFC 2396 "reserved": escaped and unescaped forms of these are NOT equivalent (§19.1.4).
_RESERVED = frozenset(";/?:@&=+$,")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# §19.1.4: "A user, ttl, or method uri-parameter appearing in only one URI never matches", nor does
# maddr, nor transport (the default-value rule).
_MUST_BE_IN_BOTH = frozenset(("user", "ttl", "method", "maddr", "transport"))


def _unescape(text: str) -> str:
    """Decode ``%HH`` of unreserved ASCII characters; upper-case the hex of the others (§19.1.4)."""
    def one(m: re.Match[str]) -> str:
        ch = chr(int(m.group(1), 16))
        return ch if ch.isascii() and ch not in _RESERVED and ch.isprintable() else "%" + m.group(1).upper()
    return _ESCAPE.sub(one, text) if "%" in text else text


def uri_equal(a: str, b: str) -> bool:
    """Are two URIs equivalent by the rules of §19.1.4?

    Userinfo is compared case-sensitively, everything else case-insensitively; escapes of unreserved
    characters equal the characters; parameter and header order do not count; user, ttl, method, maddr
    and transport parameters must be in both or neither; other parameters count only when in both;
    headers must all match. Non-SIP URIs, and text that is not a URI, compare as strings (scheme case
    aside).
    """
    ua, ub = SipUri(a.strip()), SipUri(b.strip())
    try:
        if ua.scheme != ub.scheme:
            return False
        ka, kb = _key(ua), _key(ub)
    except ParseError:
        sa, _, ra = a.strip().partition(":")
        sb, _, rb = b.strip().partition(":")
        return sa.lower() == sb.lower() and ra == rb
    if ka[0] != kb[0]:
        return False
    pa, pb = ka[1], kb[1]
    for name in pa.keys() | pb.keys():
        if name in pa and name in pb:
            if pa[name] != pb[name]:
                return False
        elif name in _MUST_BE_IN_BOTH:
            return False
    return ka[2] == kb[2]


def _key(uri: SipUri) -> tuple[tuple[object, ...], dict[str, str | None], list[tuple[str, str]]]:
    user = None if uri.user is None else _unescape(uri.user)
    password = None if uri.password is None else _unescape(uri.password)
    ident = (uri.scheme, user, password, uri.host.lower(), uri.port)
    params = {name.lower(): (None if value is None else _unescape(value).lower()) for name, value in uri.params}
    headers = sorted((_unescape(n).lower(), _unescape(v).lower()) for n, v in uri.headers)
    return ident, params, headers
