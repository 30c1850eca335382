"""SIP and SIPS URIs (RFC 3261 §19.1), parsed into a read-only view that keeps the text as written."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sipconform.sip.errors import ParseError

__all__ = ["SipUri", "parse_params"]


def parse_params(text: str, sep: str = ";") -> tuple[tuple[str, str | None], ...]:
    """``;a=1;b`` (leading separator optional) into ``(("a", "1"), ("b", None))``, order kept.

    Values in double quotes may hold the separator. Names keep their case; compare with ``.lower()``.
    """
    out: list[tuple[str, str | None]] = []
    for item in split_outside_quotes(text, sep):
        item = item.strip()
        if not item:
            continue
        name, eq, value = item.partition("=")
        out.append((name.strip(), value.strip() if eq else None))
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
        if key.lower() == lname:
            return "" if value is None else value
    return None


@dataclass(frozen=True)
class SipUri:
    """``sip:user:password@host:port;params?headers`` as written (§19.1.1). ``str(uri)`` is the text."""

    text: str

    @classmethod
    def parse(cls, text: str) -> SipUri:
        uri = cls(text.strip())
        uri.host  # noqa: B018 - validate eagerly
        return uri

    def __str__(self) -> str:
        return self.text

    @cached_property
    def _parts(self) -> tuple[str, str, str, str]:
        scheme, colon, rest = self.text.partition(":")
        if not colon or not scheme or not scheme.replace("+", "").replace("-", "").replace(".", "").isalnum():
            raise ParseError("value", f"not a URI: {self.text!r}")
        rest, _, headers = rest.partition("?")
        userinfo, at, hostpart = rest.rpartition("@")
        if not at:
            hostpart = rest
        hostport, _, params = hostpart.partition(";")
        return scheme, userinfo, hostport, params + ("?" + headers if headers else "")

    @property
    def scheme(self) -> str:
        return self._parts[0].lower()

    @property
    def user(self) -> str | None:
        userinfo = self._parts[1]
        return userinfo.partition(":")[0] if userinfo else None

    @cached_property
    def _hostport(self) -> tuple[str, int | None]:
        hostport = self._parts[2]
        if hostport.startswith("["):
            end = hostport.find("]")
            if end < 0:
                raise ParseError("value", f"unterminated IPv6 reference in URI {self.text!r}")
            host, rest = hostport[: end + 1], hostport[end + 1:]
            port_text = rest[1:] if rest.startswith(":") else None
            if rest and port_text is None:
                raise ParseError("value", f"junk after IPv6 reference in URI {self.text!r}")
        else:
            host, colon, port_text_ = hostport.partition(":")
            port_text = port_text_ if colon else None
        if not host:
            raise ParseError("value", f"URI without a host: {self.text!r}")
        if port_text is None:
            return host, None
        if not port_text.isdigit():
            raise ParseError("value", f"bad port in URI {self.text!r}")
        return host, int(port_text)

    @property
    def host(self) -> str:
        """Host as written; an IPv6 reference keeps its brackets."""
        return self._hostport[0]

    @property
    def port(self) -> int | None:
        return self._hostport[1]

    @property
    def params(self) -> tuple[tuple[str, str | None], ...]:
        return parse_params(self._parts[3].partition("?")[0])

    def param(self, name: str) -> str | None:
        return param_value(self.params, name)

    @property
    def transport(self) -> str | None:
        value = self.param("transport")
        return value.lower() if value else None
