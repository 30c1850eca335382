"""``parse_message`` (§7): start lines, header lines, folding, framing of the body, typed errors."""

from __future__ import annotations

import pytest

from sipconform.sip import DEFAULT_MAX_SIZE, ParseError, Request, Response, parse_message
from sipconform.sip.parse import MANDATORY_HEADERS, split_head

HEADERS = [
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds",
    "Max-Forwards: 70",
    "To: <sip:bob@biloxi.example.com>",
    "From: <sip:alice@atlanta.example.com>;tag=1928301774",
    "Call-ID: a84b4c76e66710",
    "CSeq: 1 INVITE",
]


def make(start: str = "INVITE sip:bob@biloxi.example.com SIP/2.0", headers: list[str] | None = None,
         body: bytes = b"", eol: str = "\r\n", length: bool = True) -> bytes:
    lines = [start, *(HEADERS if headers is None else headers)]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return (eol.join(lines) + eol + eol).encode() + body


@pytest.mark.parametrize(("start", "cls"), [
    ("INVITE sip:bob@biloxi.example.com SIP/2.0", Request),
    ("CANCEL sips:bob@biloxi.example.com SIP/2.0", Request),
    ("NEWMETHOD tel:+1234 SIP/2.0", Request),
    ("INVITE sip:bob@biloxi.example.com sip/2.0", Request),
    ("INVITE urn:service:sos SIP/2.0", Request),
    ("SIP/2.0 200 OK", Response),
    ("sip/2.0 180 Ringing", Response),
    ("SIP/2.0 404", Response),
])
def test_start_lines_accepted(start: str, cls: type) -> None:
    data = make(start)
    msg = parse_message(data)
    assert type(msg) is cls
    assert msg.start_line == start
    assert bytes(msg) == data


@pytest.mark.parametrize("start", [
    "INVITE sip:bob@biloxi.example.com SIP/2.0 extra",
    "INVITE sip:bob@biloxi.example.com",
    "INVITE  sip:bob@biloxi.example.com SIP/2.0",
    "INVITE sip:bob@biloxi.example.com SIP/2.0 ",
    " INVITE sip:bob@biloxi.example.com SIP/2.0",
    "INVITE\tsip:bob@biloxi.example.com\tSIP/2.0",
    "INVITE sip:bob@biloxi.example.com SIP/2",
    "INVITE sip:bob@biloxi.example.com HTTP/1.1",
    "INVITE sip:bob@biloxi.example.com SIP/X.Y",
    "INVITE bob SIP/2.0",
    "INV@ITE sip:bob@biloxi.example.com SIP/2.0",
    "INVITÉ sip:bob@biloxi.example.com SIP/2.0",
    "SIP/2.0 20 OK",
    "SIP/2.0 2000 OK",
    "SIP/2.0 700 Too big",
    "SIP/2.0 099 Too small",
    "SIP/2.0 ²00 OK",
    "SIP/2.0  200 OK",
    "SIP/2 200 OK",
    "SIP/ 200 OK",
    "SIP/2.0",
    "",
    "GET / HTTP/1.1",
])
def test_bad_start_lines(start: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_message(make(start))
    assert (info.value.kind, info.value.line, info.value.offset) == ("start-line", 1, 0)


def test_lf_only_and_mixed_line_endings_round_trip() -> None:
    for data in (make(eol="\n"), make(eol="\n").replace(b"Max-Forwards: 70\n", b"Max-Forwards: 70\r\n"),
                 make().replace(b"\r\n\r\n", b"\r\n\n")):
        msg = parse_message(data)
        assert bytes(msg) == data
        assert msg.cseq.number == 1


def test_start_eol_and_blank_line_are_kept() -> None:
    msg = parse_message(make(eol="\n"))
    assert (msg.start_eol, msg.blank_line) == ("\n", "\n")
    msg = parse_message(make())
    assert (msg.start_eol, msg.blank_line) == ("\r\n", "\r\n")


@pytest.mark.parametrize(("lines", "name", "value"), [
    (["Subject: a", " b"], "Subject", "a b"),
    (["Subject: a", "\tb", "  c"], "Subject", "a b c"),
    (["Subject:", " folded only"], "Subject", "folded only"),
    (["Subject:  a  ", "   "], "Subject", "a"),
    (["Subject  :a"], "Subject", "a"),
    (["Subject\t:\t a"], "Subject", "a"),
    (["Subject:"], "Subject", ""),
    (["X-Odd-Name.!%*_+`'~: v"], "X-Odd-Name.!%*_+`'~", "v"),
])
def test_header_lines(lines: list[str], name: str, value: str) -> None:
    data = make(headers=HEADERS + lines)
    msg = parse_message(data)
    field = msg.fields(name)[0]
    assert (field.name, field.value) == (name, value)
    assert bytes(msg) == data


@pytest.mark.parametrize(("bad_line", "line_no"), [
    ("No colon here", 8),
    (": no name", 8),
    ("Bad Name: x", 8),
    ("Bad(Name): x", 8),
    ("Näme: x", 8),
    ("Name@x: x", 8),
])
def test_bad_header_lines(bad_line: str, line_no: int) -> None:
    data = make(headers=HEADERS + [bad_line])
    with pytest.raises(ParseError) as info:
        parse_message(data)
    err = info.value
    assert (err.kind, err.line) == ("header", line_no)
    assert err.offset == data.index(bad_line.encode())


def test_continuation_line_first() -> None:
    data = make(headers=[" continued", *HEADERS])
    with pytest.raises(ParseError) as info:
        parse_message(data)
    assert (info.value.kind, info.value.line, info.value.offset) == ("header", 2, data.index(b" continued"))


def test_offsets_count_bytes_not_characters() -> None:
    data = make(headers=["Subject: ünïcödé"] + HEADERS + ["bad line"])
    with pytest.raises(ParseError) as info:
        parse_message(data)
    assert info.value.offset == data.index(b"bad line")


def test_non_utf8_head_is_an_encoding_error() -> None:
    data = make(headers=HEADERS + ["Subject: caf"]).replace(b"caf", b"caf\xe9")
    with pytest.raises(ParseError) as info:
        parse_message(data)
    assert (info.value.kind, info.value.line, info.value.offset) == ("encoding", 8, data.index(b"\xe9"))


def test_non_utf8_body_is_fine() -> None:
    data = make(body=b"\xff\xfe\x00binary")
    msg = parse_message(data)
    assert msg.body == b"\xff\xfe\x00binary"
    assert bytes(msg) == data


@pytest.mark.parametrize(("data", "offset"), [
    (b"", 0),
    (b"   \r\n", 0),
    (b"INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP a\r\n", 42),
    (b"INVITE sip:x SIP/2.0", 20),
    (b"INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP a\r\n\r", 43),
])
def test_truncated(data: bytes, offset: int) -> None:
    """No empty line: the offset is where more bytes were needed (the end of the input)."""
    with pytest.raises(ParseError) as info:
        parse_message(data)
    assert (info.value.kind, info.value.offset) == ("truncated", offset)


# -- Content-Length and the body (§18.3, §20.14) ----------------------------------------------------------
def test_body_exactly_content_length() -> None:
    msg = parse_message(make(body=b"v=0\r\n"))
    assert msg.body == b"v=0\r\n" and msg.content_length == 5


@pytest.mark.parametrize(("declared", "body", "offset_from_body", "stream"), [
    (10, b"short", 5, False), (1, b"", 0, False), (10, b"short", 5, True), (2, b"longer", 2, True)])
def test_body_and_content_length_disagree(declared: int, body: bytes, offset_from_body: int, stream: bool) -> None:
    """§18.3: a body shorter than Content-Length is an error; on a stream, where the framer cut the
    message at Content-Length, a longer one too."""
    data = make(headers=HEADERS + [f"Content-Length: {declared}"], body=body, length=False)
    with pytest.raises(ParseError) as info:
        parse_message(data, stream=stream)
    assert info.value.kind == "content-length"
    assert info.value.offset == len(data) - len(body) + offset_from_body


def test_datagram_bytes_beyond_content_length_are_discarded() -> None:
    """§18.3: "If there are additional bytes in the transport packet beyond the end of the body, they MUST
    be discarded." The message is the datagram up to Content-Length; the caller sees what went."""
    data = make(headers=HEADERS + ["Content-Length: 2"], body=b"longer", length=False)
    msg = parse_message(data)
    assert msg.body == b"lo" and msg.content_length == 2
    assert bytes(msg) == data[:-4]
    assert bytes(parse_message(bytes(msg))) == bytes(msg)


def test_datagram_without_content_length_takes_the_rest() -> None:
    data = make(body=b"rest of datagram", length=False)
    assert parse_message(data).body == b"rest of datagram"


def test_stream_requires_content_length() -> None:
    with pytest.raises(ParseError) as info:
        parse_message(make(length=False), stream=True)
    assert info.value.kind == "content-length"
    assert parse_message(make(body=b"x"), stream=True).body == b"x"


@pytest.mark.parametrize("value", ["abc", "-1", "1.0", "٣", "²", "0x10", "1 2", "9" * 5000])
def test_bad_content_length_values(value: str) -> None:
    data = make(headers=HEADERS + [f"Content-Length: {value}"], length=False)
    with pytest.raises(ParseError) as info:
        parse_message(data)
    assert info.value.kind == "content-length"


def test_conflicting_content_lengths() -> None:
    data = make(headers=HEADERS + ["Content-Length: 1", "l: 2"], body=b"x", length=False)
    with pytest.raises(ParseError) as info:
        parse_message(data)
    assert info.value.kind == "content-length"


# -- size limit ------------------------------------------------------------------------------------------
def test_size_limit_boundary() -> None:
    data = make(body=b"x" * 100)
    assert parse_message(data, max_size=len(data)).body == b"x" * 100
    with pytest.raises(ParseError) as info:
        parse_message(data, max_size=len(data) - 1)
    assert info.value.kind == "too-large"


def test_default_size_limit() -> None:
    data = make(body=b"x" * DEFAULT_MAX_SIZE)
    with pytest.raises(ParseError) as info:
        parse_message(data)
    assert info.value.kind == "too-large"


# -- mandatory header fields (§8.1.1, §8.2.6.2) ----------------------------------------------------------
@pytest.mark.parametrize("missing", MANDATORY_HEADERS["request"])
def test_request_missing_mandatory(missing: str) -> None:
    headers = [h for h in HEADERS if h.split(":")[0].lower() != missing]
    assert len(headers) == len(HEADERS) - 1
    with pytest.raises(ParseError) as info:
        parse_message(make(headers=headers))
    assert info.value.kind == "missing-header"
    assert missing in str(info.value)
    assert bytes(parse_message(make(headers=headers), validate=False)) == make(headers=headers)


@pytest.mark.parametrize("missing", MANDATORY_HEADERS["response"])
def test_response_missing_mandatory(missing: str) -> None:
    headers = [h for h in HEADERS if h.split(":")[0].lower() not in (missing, "max-forwards")]
    with pytest.raises(ParseError) as info:
        parse_message(make("SIP/2.0 200 OK", headers=headers))
    assert info.value.kind == "missing-header"


def test_response_needs_no_max_forwards() -> None:
    headers = [h for h in HEADERS if not h.startswith("Max-Forwards")]
    assert parse_message(make("SIP/2.0 200 OK", headers=headers)).max_forwards is None


def test_mandatory_headers_in_compact_form_count() -> None:
    compact = ["v: SIP/2.0/UDP a;branch=z9hG4bK1", "Max-Forwards: 70", "t: <sip:b@b>", "f: <sip:a@a>;tag=1",
               "i: c", "CSeq: 1 INVITE"]
    assert parse_message(make(headers=compact)).call_id == "c"


def test_empty_mandatory_value_is_missing() -> None:
    headers = [h if not h.startswith("Call-ID") else "Call-ID:  " for h in HEADERS]
    with pytest.raises(ParseError) as info:
        parse_message(make(headers=headers))
    assert info.value.kind == "missing-header"


def test_malformed_cseq_is_rejected_when_validating() -> None:
    headers = [h if not h.startswith("CSeq") else "CSeq: INVITE 1" for h in HEADERS]
    with pytest.raises(ParseError) as info:
        parse_message(make(headers=headers))
    assert info.value.kind == "value"
    assert parse_message(make(headers=headers), validate=False).header("cseq") == "INVITE 1"


def test_values_are_parsed_lazily() -> None:
    """A garbage Via or Request-URI does not stop the parser; the view raises ParseError when read."""
    headers = ["Via: garbage"] + HEADERS[1:]
    msg = parse_message(make("INVITE sip:@ SIP/2.0", headers=headers))
    assert isinstance(msg, Request)
    for view in ("top_via", "request_uri"):
        with pytest.raises(ParseError):
            getattr(msg, view)


# -- split_head --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("data", "cut"), [
    (b"A\r\nB\r\n\r\nbody", (6, 8)),
    (b"A\nB\n\nbody", (4, 5)),
    (b"A\r\nB\n\r\nbody", (5, 7)),
    (b"A\r\nB\r\n\nbody", (6, 7)),
    (b"A\r\nB\r\n", None),
    (b"A\r\nB\r\n\r", None),
    (b"", None),
])
def test_split_head(data: bytes, cut: tuple[int, int] | None) -> None:
    assert split_head(data) == cut
    assert split_head(bytearray(data)) == cut


def test_split_head_from_a_start() -> None:
    data = b"A\r\n\r\nB\r\n\r\n"
    assert split_head(data) == (3, 5)
    assert split_head(data, 4) == (8, 10)


# -- no quadratic corners: a DUT (or a fuzzer) controls every byte ----------------------------------------
_LONG = 60_000
PATHOLOGICAL = {
    "colon-less line": b"x" * _LONG + b"\r\n",
    "colon-less line after a known name": b"Subject: x\r\n" + b"y" * _LONG + b"\r\n",
    "many lines": b"Subject: x\r\n" * (_LONG // 12),
    "many folds": b"Subject: x\r\n" + b" y\r\n" * (_LONG // 4),
    "quoted pairs": b'To: "' + b'\\"' * (_LONG // 2) + b"<sip:a@b>\r\n",
    "open angles": b"Route: " + b"<" * _LONG + b"\r\n",
    "commas": b"Route: " + b"," * _LONG + b"\r\n",
    "via spaces": b"Via: SIP/2.0/UDP a" + b" " * _LONG + b"b\r\n",
    "via params": b"Via: SIP/2.0/UDP a;branch=z9hG4bK1" + b";x" * (_LONG // 2) + b"\r\n",
}


@pytest.mark.parametrize("extra", list(PATHOLOGICAL.values()), ids=list(PATHOLOGICAL))
def test_pathological_input_is_handled_in_linear_time(extra: bytes) -> None:
    """Each case is about 60 kB; a quadratic scan of it takes tens of seconds, a linear one
    milliseconds. The bound is loose on purpose (a loaded CI machine), yet far below quadratic."""
    import time

    data = make(headers=HEADERS[1:]).replace(b"Content-Length: 0\r\n\r\n", extra + b"\r\n")
    started = time.perf_counter()
    try:
        msg = parse_message(data, validate=False)
        for view in ("vias", "top_via", "to", "routes", "from_", "cseq"):
            try:
                getattr(msg, view)
            except ParseError:
                pass
    except ParseError:
        pass
    assert time.perf_counter() - started < 3.0
