"""Bytes to ``Request``/``Response`` (§7), lossless, with typed errors for every kind of bad input."""

from __future__ import annotations

from sipconform.sip.errors import ParseError
from sipconform.sip.grammar import TOKEN_RE, VERSION_RE, canonical_name, parse_number
from sipconform.sip.message import HeaderField, Message, Request, Response, parsed_field, parsed_message

__all__ = ["DEFAULT_MAX_SIZE", "MANDATORY_HEADERS", "parse_message", "split_head"]

DEFAULT_MAX_SIZE = 64 * 1024

# §8.1.1: the header fields every request carries; §8.2.6.2 copies the same ones into a response.
MANDATORY_HEADERS = {
    "request": ("via", "from", "to", "call-id", "cseq", "max-forwards"),
    "response": ("via", "from", "to", "call-id", "cseq"),
}


def split_head(data: bytes | bytearray, start: int = 0) -> tuple[int, int] | None:
    """Where the head ends: ``(blank_start, body_start)``, or None if the empty line is not there yet.

    The head ends at the first empty line, CRLF or a bare LF (tolerated on input, §7.5). The search
    begins at ``start`` (a framer resuming where it stopped); the offsets are from the start of ``data``.
    """
    crlf = data.find(b"\n\r\n", start)
    # a bare-LF empty line counts only before the CRLF one: no need to look further (nor in the body)
    lf = data.find(b"\n\n", start) if crlf < 0 else data.find(b"\n\n", start, crlf + 1)
    if crlf < 0 and lf < 0:
        return None
    if lf < 0 or (0 <= crlf < lf):
        return crlf + 1, crlf + 3
    return lf + 1, lf + 2


def parse_message(data: bytes, *, max_size: int = DEFAULT_MAX_SIZE, stream: bool = False,
                  validate: bool = True) -> Message:
    """Parse one whole message.

    Over a datagram (``stream=False``) the body is the rest of the datagram, or, with a Content-Length,
    that many bytes: fewer is a broken message; bytes beyond are discarded (§18.3), the message then
    being the datagram's start (``len(bytes(msg)) < len(data)`` tells how many went).
    Over a stream the caller (``StreamFramer``) has cut ``data`` at Content-Length already, which is
    then mandatory (§18.3, §20.14). ``validate`` checks the mandatory header fields (§8.1.1, §8.2.6.2).
    """
    if len(data) > max_size:
        raise ParseError("too-large", f"message of {len(data)} bytes exceeds the limit of {max_size} bytes")
    if not data or data.isspace():  # what ``not data.strip()`` says, without copying the message
        raise ParseError("truncated", "empty message", offset=0)
    crlf = data.find(b"\n\r\n")
    if crlf >= 0:
        # The usual head, ending at a CRLF empty line, taken without ``split_head``'s second search for
        # a bare-LF empty line before it: such a line would be an empty line inside this head, which
        # the quick field pass never accepts (nor a head that is not UTF-8). Then, and for anything
        # else unusual, the head is cut and parsed the careful way.
        msg = _parse_cut(data, crlf + 1, crlf + 3, stream, validate, quick=True)
        if msg is not None:
            return msg
    cut = split_head(data)
    if cut is None:
        raise ParseError("truncated", "no empty line ending the header section", offset=len(data))
    msg = _parse_cut(data, cut[0], cut[1], stream, validate, quick=False)
    assert msg is not None  # only a quick attempt gives up
    return msg


def _parse_cut(data: bytes, blank_start: int, body_start: int, stream: bool, validate: bool,
               quick: bool) -> Message | None:
    """``parse_message`` once the head is known to end at ``blank_start``. ``quick``: the cut is not
    sure yet, so give up (None) rather than decode a head that is not UTF-8 or take the careful field
    path; what it raises is raised on the sure cut as well (the same start line, fields and body)."""
    try:
        head = data[:blank_start].decode("utf-8")
    except UnicodeDecodeError as exc:
        if quick:
            return None
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError("encoding", "header section is not valid UTF-8", line=line, offset=exc.start) from None
    start_raw = head[: head.find("\n")]  # head ends with "\n", so there is one
    start_line, start_eol = (start_raw[:-1], "\r\n") if start_raw.endswith("\r") else (start_raw, "\n")
    is_response = start_line[:4].upper() == "SIP/"
    (_check_status_line if is_response else _check_request_line)(start_line)
    seen: dict[str, str] = {}
    headers = _parse_fields_fast(head[len(start_raw) + 1:], seen)
    first: dict[str, str] | None = seen
    if headers is None:
        if quick:
            return None
        lines = head.split("\n")
        lines.pop()  # head ends with "\n": the last element is empty
        headers = _parse_fields(lines)
        first = None  # the message computes its own when asked
    blank = "\r\n" if body_start - blank_start == 2 else "\n"  # what ``split_head`` found
    body = data[body_start:]
    cls = Response if is_response else Request
    msg: Message = parsed_message(cls, start_line, headers, body, start_eol, blank, data, first)
    length = _check_length(msg, stream, body_start, first)
    if length is not None and length < len(body):  # a datagram's bytes beyond the body: discarded (§18.3)
        end = body_start + length
        msg = parsed_message(cls, start_line, headers, body[:length], start_eol, blank, data[:end], first)
    if validate:
        _check_mandatory(msg)
    return msg


def _parse_fields_fast(block: str, first: dict[str, str]) -> tuple[HeaderField, ...] | None:
    """``_parse_fields`` for the common case, or None to have ``_parse_fields`` do it (and raise).

    Taken only when every line has a colon and every name (the text before it) is one
    ``_parse_fields`` already accepted (``_NAME_KEYS``); the fields are then exactly those
    ``_parse_fields`` builds (the value is stripped of ``_LWS``, so the "\r" left on it goes). No
    folding check is needed: a continuation line starts with SP or HT, and no key of ``_NAME_KEYS``
    does (they are stripped tokens), so such a line sends the message to ``_parse_fields``; so does a
    name written with spaces before the colon. A plain split and ``partition`` per line: a regex over
    the block costs several times more. A change to the rules of ``_parse_fields`` must be mirrored
    here (``test_fast_and_careful_header_paths_agree`` checks).

    On the way it fills ``first`` as ``Message._first_values`` would be (canonical name -> value of the
    first field of that name), and it gives up on a second Content-Length, so that with its result
    ``first["content-length"]`` is the one Content-Length value, if any (``_check_length``).
    """
    lines = block.split("\n")
    lines.pop()  # the block ends with "\n" (or is empty): the last element is empty
    known = _NAME_KEYS
    new = _new_object
    cls = HeaderField
    lws = _LWS
    fields: list[HeaderField] = []
    append = fields.append
    for line in lines:
        name, colon, value = line.partition(":")
        key = known.get(name)
        if key is None or not colon:
            return None
        # ``parsed_field(name, value.strip(_LWS), line + "\n", key)``, inlined: this runs once per line.
        field = new(cls)
        attrs = field.__dict__
        attrs["name"] = name
        attrs["value"] = value.strip(lws)
        attrs["raw"] = line + "\n"
        attrs["key"] = key
        append(field)
        if key not in first:
            first[key] = attrs["value"]
        elif key == "content-length":
            return None  # several: the careful path and ``Message.content_length`` judge them
    return tuple(fields)


def _parse_fields(lines: list[str]) -> tuple[HeaderField, ...]:
    """§7.3.1: ``field-name HCOLON value``; a line starting with SP or HT continues the previous field
    (folding), and reads as one SP. HCOLON = *( SP / HTAB ) ":" SWS (§25.1)."""
    fields: list[HeaderField] = []
    name = value = raw = key = ""
    token = TOKEN_RE.fullmatch
    known = _NAME_KEYS
    for lineno, line in enumerate(lines[1:], start=2):
        content = line[:-1] if line.endswith("\r") else line
        if content[:1] in (" ", "\t"):
            if not raw:
                raise ParseError("header", "continuation line before any header field", line=lineno,
                                 offset=_line_offset(lines, lineno))
            raw += line + "\n"
            value += " " + content.strip(_LWS)
            continue
        if raw:
            fields.append(parsed_field(name, value.strip(_LWS), raw, key))
        colon = content.find(":")
        if colon <= 0:
            raise ParseError("header", f"header line without a name and colon: {content[:60]!r}", line=lineno,
                             offset=_line_offset(lines, lineno))
        name = content[:colon].rstrip(" \t")
        found = known.get(name)
        if found is None:
            if token(name) is None:
                raise ParseError("header", f"bad header name {name[:60]!r}", line=lineno,
                                 offset=_line_offset(lines, lineno))
            found = canonical_name(name)
            if len(known) < _NAME_KEYS_MAX:
                known[name] = found
        key = found
        value = content[colon + 1:]
        raw = line + "\n"
    if raw:
        fields.append(parsed_field(name, value.strip(_LWS), raw, key))
    return tuple(fields)


# What is stripped from a header value: LWS is spaces and tabs only (§25.1), plus the CR of a CRLF;
# not every Unicode space (NBSP, U+2028, \x1c...), which ``str.strip()`` would take too.
_LWS = " \t\r"

_new_object = object.__new__

# Header names seen before (all valid tokens) -> canonical key: a run sees a few dozen names, so the
# token check and the compact-form lookup run once per name, not once per line. Bounded against junk.
_NAME_KEYS: dict[str, str] = {}
_NAME_KEYS_MAX = 4096


def _line_offset(lines: list[str], lineno: int) -> int:
    """Byte offset of the start of line ``lineno`` (1-based) of the head: only computed for errors."""
    return sum(len(line.encode("utf-8")) + 1 for line in lines[: lineno - 1])


# Method names that are tokens (§25.1), checked by a set lookup before the token pattern.
_METHODS = frozenset(("INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "REGISTER", "PRACK", "UPDATE", "INFO",
                      "SUBSCRIBE", "NOTIFY", "REFER", "MESSAGE", "PUBLISH"))


def _check_request_line(start_line: str) -> None:
    """§7.1: Request-Line = Method SP Request-URI SP SIP-Version CRLF (single spaces, no others)."""
    parts = start_line.split(" ")
    version = parts[2] if len(parts) == 3 else ""
    if not version or (version != "SIP/2.0" and VERSION_RE.fullmatch(version) is None) or ":" not in parts[1]:
        raise ParseError("start-line", f"malformed Request-Line: {start_line[:80]!r}", line=1, offset=0)
    if parts[0] not in _METHODS and TOKEN_RE.fullmatch(parts[0]) is None:
        raise ParseError("start-line", f"bad method token {parts[0][:40]!r}", line=1, offset=0)


def _check_status_line(start_line: str) -> None:
    """§7.2: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF; Status-Code = 3DIGIT,
    100 to 699 (§21). A missing reason phrase (``SIP/2.0 200``) is tolerated."""
    version, _, rest = start_line.partition(" ")
    code = rest.partition(" ")[0]
    if ((version != "SIP/2.0" and VERSION_RE.fullmatch(version) is None) or len(code) != 3
            or not (code.isascii() and code.isdigit()) or not 100 <= int(code) <= 699):
        raise ParseError("start-line", f"malformed Status-Line: {start_line[:80]!r}", line=1, offset=0)


def _check_length(msg: Message, stream: bool, body_start: int, first: dict[str, str] | None) -> int | None:
    """§18.3: the Content-Length, which a body shorter than it breaks ("If the transport packet ends
    before the end of the message body, this is considered an error"); over a stream, which it must be
    in, a longer body too (the framer cut the message there). Over a datagram "If there are additional
    bytes in the transport packet beyond the end of the body, they MUST be discarded": the caller does."""
    if first is None:
        length = msg.content_length
    else:  # at most one Content-Length field (``_parse_fields_fast``): ``content_length``'s own reading
        text = first.get("content-length")
        length = None if text is None else parse_number(text, kind="content-length", what="Content-Length",
                                                        max_digits=18)
    if length is None:
        if stream:
            raise ParseError("content-length", "no Content-Length on a stream transport (§18.3, §20.14)")
        return None
    actual = len(msg.body)
    if length > actual:
        raise ParseError("content-length",
                         f"Content-Length {length} is larger than the body ({actual} bytes): truncated message",
                         offset=body_start + actual)
    if length < actual and stream:
        raise ParseError("content-length",
                         f"Content-Length {length} is smaller than the body ({actual} bytes) on a stream",
                         offset=body_start + length)
    return length


def _check_mandatory(msg: Message) -> None:
    """§8.1.1: To, From, CSeq, Call-ID, Max-Forwards and Via are mandatory in every request; §8.2.6.2
    puts the same (bar Max-Forwards) in every response. An empty value counts as missing."""
    kind = "request" if isinstance(msg, Request) else "response"
    first = msg._first_values  # noqa: SLF001 - canonical name -> first value, what ``msg.header`` reads
    missing = [name for name in MANDATORY_HEADERS[kind] if not first.get(name)]
    if missing:
        raise ParseError("missing-header", f"{kind} lacks mandatory header field(s): {', '.join(missing)}")
    msg.cseq  # noqa: B018 - a malformed CSeq is a broken message, not a later surprise
