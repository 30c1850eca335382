"""The lossless SIP message model (§7).

A message is its start line plus an ordered tuple of ``HeaderField`` plus a body. Each field keeps the
exact text it had on the wire (name case, compact form, whitespace, folding, line ending), so
``bytes(parse_message(b)) == b``. Parsed views (``vias``, ``cseq``, ``to`` ...) are computed from it.
Messages are immutable: editing methods return a new message, so a test can take a correct message
and break one rule on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Self, TypeVar

from sipconform.sip.errors import ParseError
from sipconform.sip.grammar import LIST_HEADERS, cached_property, canonical_name, parse_number
from sipconform.sip.headers import CSeq, NameAddr, Via, split_list
from sipconform.sip.uri import SipUri

__all__ = ["HeaderField", "Message", "Request", "Response"]

CRLF = "\r\n"
M = TypeVar("M", bound="Message")


@dataclass(frozen=True)
class HeaderField:
    """One header field line (with any continuation lines) exactly as on the wire.

    ``raw`` includes the line terminator(s); ``name`` is as written; ``value`` is unfolded (each
    line break plus leading whitespace of a continuation read as one space, §7.3.1) and stripped
    of spaces and tabs (LWS, §25.1).
    """

    name: str
    value: str
    raw: str

    @classmethod
    def make(cls, name: str, value: str, *, separator: str = ": ") -> HeaderField:
        return cls(name, value.strip(" \t"), f"{name}{separator}{value}{CRLF}")

    @cached_property
    def key(self) -> str:
        """Canonical name: lower-case long form (``v`` -> ``via``)."""
        return canonical_name(self.name)

    def values(self) -> list[str]:
        """The field's values: split on commas for list headers (§7.3.1), else the one value."""
        return split_list(self.value) if self.key in LIST_HEADERS else [self.value]

    def with_value(self, value: str) -> HeaderField:
        """The same field with another value: name spelling, the spacing around the colon and the
        line ending are kept (a folded value becomes one line)."""
        colon = self.raw.find(":")
        if colon < 0:
            return HeaderField.make(self.name, value)
        head, after = self.raw[: colon + 1], self.raw[colon + 1:]
        gap = after[: len(after) - len(after.lstrip(" \t"))]
        eol = "\n" if self.raw.endswith("\n") and not self.raw.endswith("\r\n") else CRLF
        return HeaderField(self.name, value.strip(" \t"), f"{head}{gap}{value}{eol}")


_new_object = object.__new__


def parsed_field(name: str, value: str, raw: str, key: str) -> HeaderField:
    """For the parser's hot path: ``HeaderField(name, value, raw)`` with its ``key`` already known
    (``key`` must be ``canonical_name(name)``), built without the frozen-dataclass ``__init__`` (half
    the cost of a field). Equal, hashed and printed exactly like one made the usual way."""
    field = _new_object(HeaderField)
    attrs = field.__dict__
    attrs["name"] = name
    attrs["value"] = value
    attrs["raw"] = raw
    attrs["key"] = key  # what the cached property ``key`` would store on first use
    return field


def parsed_message(cls: type[M], start_line: str, headers: tuple[HeaderField, ...], body: bytes, start_eol: str,
                   blank_line: str, wire: bytes | bytearray, first_values: dict[str, str] | None = None) -> M:
    """For the parser: ``cls(start_line, headers, body, start_eol, blank_line)`` built without the
    frozen-dataclass ``__init__`` (equal, hashed and printed the same), remembering that it was parsed
    from ``wire`` when that is immutable ``bytes``, so that ``bytes(msg)`` returns it instead of joining
    the fields again (the parse is lossless: the two are equal). Sound because messages are immutable:
    every edit makes a new object through the dataclass ``__init__`` (``dataclasses.replace``), which
    copies only the fields, never ``_wire``. ``first_values``, when the parser has it, is what the
    cached ``_first_values`` would compute from ``headers``."""
    msg = _new_object(cls)
    attrs = msg.__dict__
    attrs["start_line"] = start_line
    attrs["headers"] = headers
    attrs["body"] = body
    attrs["start_eol"] = start_eol
    attrs["blank_line"] = blank_line
    if type(wire) is bytes:
        attrs["_wire"] = wire
    if first_values is not None:
        attrs["_first_values"] = first_values
    return msg


@dataclass(frozen=True)
class Message:
    """Fields common to requests and responses. Use ``Request`` / ``Response``."""

    start_line: str          # without its terminator
    headers: tuple[HeaderField, ...]
    body: bytes = b""
    start_eol: str = CRLF    # terminator of the start line as received
    blank_line: str = CRLF   # the empty line between head and body as received

    def __bytes__(self) -> bytes:
        wire: bytes | None = self.__dict__.get("_wire")
        if wire is not None:  # parsed from these very bytes and never edited: see ``parsed_message``
            return wire
        return self.serialize()

    def serialize(self) -> bytes:
        """The message built from the model: start line, each field's text, the empty line, the body.

        What ``bytes(msg)`` gives for a message made or edited here; for a parsed, unedited message
        ``bytes(msg)`` returns the input bytes kept by the parser instead, which this equals.
        """
        head = self.start_line + self.start_eol + "".join([h.raw for h in self.headers]) + self.blank_line
        return head.encode("utf-8") + self.body

    def __str__(self) -> str:
        return bytes(self).decode("utf-8", "replace")

    # -- generic access ---------------------------------------------------------------------------
    def fields(self, name: str) -> list[HeaderField]:
        key = canonical_name(name)
        return [h for h in self.headers if h.key == key]

    def header(self, name: str) -> str | None:
        """Value of the first field called ``name`` (any case, compact or long form), or None."""
        first = self._first_values
        value = first.get(name)  # the keys are canonical names, and a canonical name is its own key
        return value if value is not None else first.get(canonical_name(name))

    @cached_property
    def _first_values(self) -> dict[str, str]:
        """Canonical name -> value of the first field of that name (built once: the parser's checks
        and the views look up a dozen names per message)."""
        return {h.key: h.value for h in reversed(self.headers)}

    def header_values(self, name: str) -> list[str]:
        """All values of ``name`` in order, across repeated fields and comma lists (§7.3.1)."""
        return [v for h in self.fields(name) for v in h.values()]

    def has(self, name: str) -> bool:
        return self.header(name) is not None

    # -- parsed views ------------------------------------------------------------------------------
    @cached_property
    def vias(self) -> tuple[Via, ...]:
        """Every Via value, parsed, top first: ``header_values("via")`` in one pass over the fields."""
        parse = Via.parse
        vias: list[Via] = []
        for h in self.headers:
            if h.key == "via":
                value = h.value
                if "," in value:
                    vias += [parse(v) for v in split_list(value)]
                elif value.strip():  # ``split_list`` of a value without a comma
                    vias.append(parse(value))
        return tuple(vias)

    @cached_property
    def top_via(self) -> Via:
        """The first Via value (§8.1.1.7, §17.2.3), parsed alone: a malformed Via further down does
        not hide it, and matching a transaction does not pay for parsing every hop."""
        vias: tuple[Via, ...] | None = self.__dict__.get("vias")
        if vias is None:
            for h in self.headers:
                if h.key == "via":
                    values = h.values()
                    if values:
                        return Via.parse(values[0])
            vias = ()
        if not vias:
            raise ParseError("missing-header", "no Via header field")
        return vias[0]

    @property
    def call_id(self) -> str:
        value = self._first_values.get("call-id")  # ``_required``, inlined for the fields every message reads
        return self._required("call-id") if value is None else value

    @cached_property
    def cseq(self) -> CSeq:
        value = self._first_values.get("cseq")
        return CSeq.parse(self._required("cseq") if value is None else value)

    @cached_property
    def from_(self) -> NameAddr:
        value = self._first_values.get("from")
        return NameAddr.parse(self._required("from") if value is None else value)

    @cached_property
    def to(self) -> NameAddr:
        value = self._first_values.get("to")
        return NameAddr.parse(self._required("to") if value is None else value)

    @property
    def routes(self) -> tuple[NameAddr, ...]:
        return tuple(NameAddr.parse(v) for v in self.header_values("route"))

    @property
    def record_routes(self) -> tuple[NameAddr, ...]:
        return tuple(NameAddr.parse(v) for v in self.header_values("record-route"))

    @property
    def max_forwards(self) -> int | None:
        value = self.header("max-forwards")
        if value is None:
            return None
        return parse_number(value, what="Max-Forwards")

    @property
    def content_length(self) -> int | None:
        """Content-Length (§20.14); several fields must agree, else ``ParseError("content-length")``."""
        values = [h.value for h in self.headers if h.key == "content-length"]
        if not values:
            return None
        if len(values) == 1:  # the usual case: no set to build
            return parse_number(values[0], kind="content-length", what="Content-Length", max_digits=18)
        lengths = {parse_number(value, kind="content-length", what="Content-Length", max_digits=18)
                   for value in values}
        if len(lengths) > 1:
            raise ParseError("content-length", f"conflicting Content-Length values: {sorted(lengths)}")
        return lengths.pop() if lengths else None

    def _required(self, name: str) -> str:
        value = self.header(name)
        if value is None:
            raise ParseError("missing-header", f"no {name} header field")
        return value

    # -- editing (each returns a new message) ---------------------------------------------------------
    def with_headers(self, headers: Iterable[HeaderField]) -> Self:
        return replace(self, headers=tuple(headers))

    def append_header(self, name: str, value: str) -> Self:
        return self.with_headers((*self.headers, HeaderField.make(name, value)))

    def insert_header(self, index: int, name: str, value: str) -> Self:
        headers = list(self.headers)
        headers.insert(index, HeaderField.make(name, value))
        return self.with_headers(headers)

    def remove_header(self, name: str) -> Self:
        key = canonical_name(name)
        return self.with_headers(h for h in self.headers if h.key != key)

    def set_header(self, name: str, value: str) -> Self:
        """Replace every field called ``name`` by one, at the place of the first (appended if none)."""
        key = canonical_name(name)
        out: list[HeaderField] = []
        placed = False
        for h in self.headers:
            if h.key != key:
                out.append(h)
            elif not placed:
                out.append(HeaderField.make(name, value))
                placed = True
        if not placed:
            out.append(HeaderField.make(name, value))
        return self.with_headers(out)

    def with_body(self, body: bytes, *, update_length: bool = True) -> Self:
        """The message with another body; Content-Length is set to its length (the first such field
        keeps its spelling, e.g. ``l:``; any others are dropped; one is appended if there was none)."""
        msg = replace(self, body=body)
        if not update_length:
            return msg
        value = str(len(body))
        out: list[HeaderField] = []
        placed = False
        for h in self.headers:
            if h.key != "content-length":
                out.append(h)
            elif not placed:
                out.append(h.with_value(value))
                placed = True
        if not placed:
            out.append(HeaderField.make("Content-Length", value))
        return msg.with_headers(out)


@dataclass(frozen=True)
class Request(Message):
    """A request (§7.1): ``METHOD Request-URI SIP/2.0``."""

    @cached_property
    def _start(self) -> tuple[str, str, str]:
        parts = self.start_line.split(" ")
        if len(parts) != 3:
            raise ParseError("start-line", f"malformed Request-Line: {self.start_line!r}", line=1)
        return parts[0], parts[1], parts[2]

    @property
    def method(self) -> str:
        return self._start[0]

    @property
    def uri(self) -> str:
        """The Request-URI as written."""
        return self._start[1]

    @property
    def request_uri(self) -> SipUri:
        return SipUri.parse(self._start[1])

    @property
    def version(self) -> str:
        return self._start[2]

    def with_method(self, method: str) -> Request:
        return replace(self, start_line=f"{method} {self.uri} {self.version}")

    def with_uri(self, uri: str) -> Request:
        return replace(self, start_line=f"{self.method} {uri} {self.version}")


@dataclass(frozen=True)
class Response(Message):
    """A response (§7.2): ``SIP/2.0 Status-Code Reason-Phrase``."""

    @cached_property
    def _start(self) -> tuple[str, int, str]:
        version, _, rest = self.start_line.partition(" ")
        code, _, reason = rest.partition(" ")
        if len(code) != 3 or not (code.isascii() and code.isdigit()) or not 100 <= int(code) <= 699:
            raise ParseError("start-line", f"malformed Status-Line: {self.start_line!r}", line=1)
        return version, int(code), reason

    @property
    def version(self) -> str:
        return self._start[0]

    @property
    def status(self) -> int:
        return self._start[1]

    @property
    def reason(self) -> str:
        return self._start[2]

    @property
    def is_provisional(self) -> bool:
        return self.status < 200

    @property
    def is_final(self) -> bool:
        return self.status >= 200
