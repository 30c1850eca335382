"""Bytes to ``Request``/``Response`` (§7), lossless, with typed errors for every kind of bad input."""

from __future__ import annotations

from sipconform.sip.errors import ParseError
from sipconform.sip.message import HeaderField, Message, Request, Response

__all__ = ["DEFAULT_MAX_SIZE", "MANDATORY_HEADERS", "parse_message", "split_head"]

DEFAULT_MAX_SIZE = 64 * 1024

# §8.1.1: the header fields every request carries; §8.2.6.2 copies the same ones into a response.
MANDATORY_HEADERS = {
    "request": ("via", "from", "to", "call-id", "cseq", "max-forwards"),
    "response": ("via", "from", "to", "call-id", "cseq"),
}


def split_head(data: bytes) -> tuple[int, int] | None:
    """Where the head ends: ``(blank_start, body_start)``, or None if the empty line is not there yet.

    The head ends at the first empty line, CRLF or a bare LF (tolerated on input, §7.5).
    """
    crlf = data.find(b"\n\r\n")
    lf = data.find(b"\n\n")
    if crlf < 0 and lf < 0:
        return None
    if lf < 0 or (0 <= crlf < lf):
        return crlf + 1, crlf + 3
    return lf + 1, lf + 2


def parse_message(data: bytes, *, max_size: int = DEFAULT_MAX_SIZE, stream: bool = False,
                  validate: bool = True) -> Message:
    """Parse one whole message.

    Over a datagram (``stream=False``) the body is the rest of the datagram and a Content-Length, when
    present, must match it exactly (§18.3: anything else is a broken message, and the tester says so).
    Over a stream the caller (``StreamFramer``) has cut ``data`` at Content-Length already, which is
    then mandatory (§18.3, §20.14). ``validate`` checks the mandatory header fields (§8.1.1, §8.2.6.2).
    """
    if len(data) > max_size:
        raise ParseError("too-large", f"message of {len(data)} bytes exceeds the limit of {max_size} bytes")
    if not data.strip():
        raise ParseError("truncated", "empty message", offset=0)
    cut = split_head(data)
    if cut is None:
        raise ParseError("truncated", "no empty line ending the header section", offset=len(data))
    blank_start, body_start = cut
    try:
        head = data[:blank_start].decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError("encoding", "header section is not valid UTF-8", line=line, offset=exc.start) from None
    lines = head.split("\n")
    lines.pop()  # head ends with "\n": the last element is empty
    start_raw = lines[0]
    start_line, start_eol = (start_raw[:-1], "\r\n") if start_raw.endswith("\r") else (start_raw, "\n")
    headers = _parse_fields(lines)
    blank = data[blank_start:body_start].decode("ascii")
    body = data[body_start:]
    msg: Message
    if start_line.startswith("SIP/"):
        msg = Response(start_line, headers, body, start_eol, blank)
        msg.status  # noqa: B018 - validate the Status-Line now
    else:
        msg = Request(start_line, headers, body, start_eol, blank)
        _check_request_line(msg)
    _check_length(msg, stream, body_start)
    if validate:
        _check_mandatory(msg)
    return msg


def _parse_fields(lines: list[str]) -> tuple[HeaderField, ...]:
    fields: list[HeaderField] = []
    name = value = raw = ""
    for lineno, line in enumerate(lines[1:], start=2):
        content = line[:-1] if line.endswith("\r") else line
        if content[:1] in (" ", "\t"):
            if not raw:
                raise ParseError("header", "continuation line before any header field", line=lineno)
            raw += line + "\n"
            value += " " + content.strip()
            continue
        if raw:
            fields.append(HeaderField(name, value.strip(), raw))
        colon = content.find(":")
        if colon <= 0:
            raise ParseError("header", f"header line without a name and colon: {content[:60]!r}", line=lineno)
        name = content[:colon].rstrip()
        if not name or any(c in name for c in " \t()<>@,;\\\"/[]?={}"):
            raise ParseError("header", f"bad header name {name!r}", line=lineno)
        value = content[colon + 1:]
        raw = line + "\n"
    if raw:
        fields.append(HeaderField(name, value.strip(), raw))
    return tuple(fields)


def _check_request_line(msg: Request) -> None:
    parts = msg.start_line.split(" ")
    if len(parts) != 3 or not parts[0] or not parts[1] or not parts[2].startswith("SIP/"):
        raise ParseError("start-line", f"malformed Request-Line: {msg.start_line[:80]!r}", line=1)
    if not parts[0].isalnum() and not all(c.isalnum() or c in "-.!%*_+`'~" for c in parts[0]):
        raise ParseError("start-line", f"bad method token {parts[0]!r}", line=1)


def _check_length(msg: Message, stream: bool, body_start: int) -> None:
    length = msg.content_length
    if length is None:
        if stream:
            raise ParseError("content-length", "no Content-Length on a stream transport (§18.3, §20.14)")
        return
    actual = len(msg.body)
    if length > actual:
        raise ParseError("content-length",
                         f"Content-Length {length} is larger than the body ({actual} bytes): truncated message",
                         offset=body_start + actual)
    if length < actual:
        raise ParseError("content-length",
                         f"Content-Length {length} is smaller than the body ({actual} bytes)",
                         offset=body_start + length)


def _check_mandatory(msg: Message) -> None:
    kind = "request" if isinstance(msg, Request) else "response"
    missing = [name for name in MANDATORY_HEADERS[kind] if msg.header(name) is None]
    if missing:
        raise ParseError("missing-header", f"{kind} lacks mandatory header field(s): {', '.join(missing)}")
    msg.cseq  # noqa: B018 - a malformed CSeq is a broken message, not a later surprise
