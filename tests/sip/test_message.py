"""The lossless message model (§7): header lookup, lists, views, and editing that touches one thing only."""

from __future__ import annotations

import pytest

from sipconform.sip import HeaderField, Message, ParseError, Request, Response, parse_message

INVITE = (
    b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    b"v: SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1, SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKuac\r\n"
    b"VIA:   SIP/2.0/TCP  last.example.com:5070 ;branch=z9hG4bKlast\r\n"
    b"Max-Forwards: 69\r\n"
    b"Route: <sip:p2.example.com;lr>, <sip:p3.example.com;lr>\r\n"
    b"route: <sip:p4.example.com;lr>\r\n"
    b"t: Bob <sip:bob@biloxi.example.com>\r\n"
    b'From: "Alice, A." <sip:alice@atlanta.example.com>;tag=1928301774\r\n'
    b"i: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    b"CSeq: 314159 INVITE\r\n"
    b"Subject: one,\r\n two\r\n"
    b"Supported: timer, 100rel\r\n"
    b"k: path\r\n"
    b"X-Unknown: a, b\r\n"
    b"l: 4\r\n"
    b"\r\n"
    b"v=0\n"
)


@pytest.fixture
def invite() -> Request:
    msg = parse_message(INVITE)
    assert isinstance(msg, Request)
    return msg


@pytest.mark.parametrize(("name", "value"), [
    ("Call-ID", "a84b4c76e66710@pc33.atlanta.example.com"),
    ("call-id", "a84b4c76e66710@pc33.atlanta.example.com"),
    ("I", "a84b4c76e66710@pc33.atlanta.example.com"),
    ("i", "a84b4c76e66710@pc33.atlanta.example.com"),
    ("TO", "Bob <sip:bob@biloxi.example.com>"),
    ("t", "Bob <sip:bob@biloxi.example.com>"),
    ("v", "SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1, SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKuac"),
    ("Content-Length", "4"),
    ("L", "4"),
    ("subject", "one, two"),
    ("s", "one, two"),
    ("x-unknown", "a, b"),
    ("Contact", None),
    ("m", None),
])
def test_header_lookup_any_spelling(invite: Request, name: str, value: str | None) -> None:
    assert invite.header(name) == value
    assert invite.has(name) is (value is not None)


@pytest.mark.parametrize(("name", "values"), [
    ("via", ["SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1", "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKuac",
             "SIP/2.0/TCP  last.example.com:5070 ;branch=z9hG4bKlast"]),
    ("Route", ["<sip:p2.example.com;lr>", "<sip:p3.example.com;lr>", "<sip:p4.example.com;lr>"]),
    ("supported", ["timer", "100rel", "path"]),
    ("k", ["timer", "100rel", "path"]),
    ("X-Unknown", ["a, b"]),         # not a list header: never split
    ("Subject", ["one, two"]),       # nor this one
    ("contact", []),
])
def test_header_values_across_fields_and_commas(invite: Request, name: str, values: list[str]) -> None:
    assert invite.header_values(name) == values


def test_fields_keep_wire_spelling(invite: Request) -> None:
    vias = invite.fields("Via")
    assert [f.name for f in vias] == ["v", "VIA"]
    assert vias[1].raw == "VIA:   SIP/2.0/TCP  last.example.com:5070 ;branch=z9hG4bKlast\r\n"
    assert invite.fields("subject")[0].raw == "Subject: one,\r\n two\r\n"
    assert [f.key for f in invite.headers][:3] == ["via", "via", "max-forwards"]


def test_views(invite: Request) -> None:
    assert invite.method == "INVITE"
    assert invite.uri == "sip:bob@biloxi.example.com"
    assert invite.request_uri.host == "biloxi.example.com"
    assert invite.version == "SIP/2.0"
    assert [v.branch for v in invite.vias] == ["z9hG4bKp1", "z9hG4bKuac", "z9hG4bKlast"]
    assert invite.top_via.host == "p1.example.com"
    assert invite.call_id == "a84b4c76e66710@pc33.atlanta.example.com"
    assert (invite.cseq.number, invite.cseq.method) == (314159, "INVITE")
    assert invite.from_.tag == "1928301774" and invite.from_.display == "Alice, A."
    assert invite.to.tag is None and invite.to.uri == "sip:bob@biloxi.example.com"
    assert [r.uri for r in invite.routes] == ["sip:p2.example.com;lr", "sip:p3.example.com;lr", "sip:p4.example.com;lr"]
    assert invite.record_routes == ()
    assert invite.max_forwards == 69
    assert invite.content_length == 4
    assert invite.body == b"v=0\n"


def test_response_views() -> None:
    msg = parse_message(b"SIP/2.0 487 Request Terminated\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\n"
                        b"To: <sip:b@b>;tag=x\r\nFrom: <sip:a@a>;tag=y\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n")
    assert isinstance(msg, Response)
    assert (msg.version, msg.status, msg.reason) == ("SIP/2.0", 487, "Request Terminated")
    assert msg.is_final and not msg.is_provisional
    assert msg.max_forwards is None and msg.content_length is None


@pytest.mark.parametrize(("start_line", "status", "reason"), [
    ("SIP/2.0 100 Trying", 100, "Trying"),
    ("SIP/2.0 699 ", 699, ""),
    ("SIP/2.0 200", 200, ""),
    ("SIP/2.0 480 Temporarily  Unavailable ", 480, "Temporarily  Unavailable "),
])
def test_status_line_views(start_line: str, status: int, reason: str) -> None:
    msg = Response(start_line, ())
    assert (msg.status, msg.reason) == (status, reason)


@pytest.mark.parametrize("start_line", ["SIP/2.0 20 OK", "SIP/2.0 700 X", "SIP/2.0 099 X", "SIP/2.0 ²00 OK",
                                        "SIP/2.0", "SIP/2.0  200 OK", ""])
def test_bad_status_line_view_is_a_parse_error(start_line: str) -> None:
    with pytest.raises(ParseError) as info:
        Response(start_line, ()).status  # noqa: B018
    assert info.value.kind == "start-line"


@pytest.mark.parametrize("start_line", ["INVITE sip:x SIP/2.0 extra", "INVITE", "", "INVITE  sip:x SIP/2.0"])
def test_bad_request_line_view_is_a_parse_error(start_line: str) -> None:
    with pytest.raises(ParseError) as info:
        Request(start_line, ()).method  # noqa: B018
    assert info.value.kind == "start-line"


@pytest.mark.parametrize(("view", "kind"), [
    ("top_via", "missing-header"), ("call_id", "missing-header"), ("cseq", "missing-header"),
    ("from_", "missing-header"), ("to", "missing-header"),
])
def test_missing_headers_in_views(view: str, kind: str) -> None:
    with pytest.raises(ParseError) as info:
        getattr(Request("OPTIONS sip:x SIP/2.0", ()), view)
    assert info.value.kind == kind


@pytest.mark.parametrize(("header", "value", "view", "kind"), [
    ("Max-Forwards", "seventy", "max_forwards", "value"),
    ("Max-Forwards", "²", "max_forwards", "value"),
    ("Max-Forwards", "-1", "max_forwards", "value"),
    ("Content-Length", "abc", "content_length", "content-length"),
    ("Content-Length", "٣", "content_length", "content-length"),
    ("Content-Length", "9" * 5000, "content_length", "content-length"),
    ("CSeq", "x INVITE", "cseq", "value"),
    ("To", "<sip:x", "to", "value"),
    ("Via", "SIP/2.0/UDP", "vias", "value"),
])
def test_bad_values_in_views(header: str, value: str, view: str, kind: str) -> None:
    msg = Request("OPTIONS sip:x SIP/2.0", (HeaderField.make(header, value),))
    with pytest.raises(ParseError) as info:
        getattr(msg, view)
    assert info.value.kind == kind


def test_conflicting_content_lengths() -> None:
    msg = Request("OPTIONS sip:x SIP/2.0", (HeaderField.make("Content-Length", "3"), HeaderField.make("l", "4")))
    with pytest.raises(ParseError) as info:
        msg.content_length  # noqa: B018
    assert info.value.kind == "content-length"
    same = Request("OPTIONS sip:x SIP/2.0", (HeaderField.make("Content-Length", "3"), HeaderField.make("l", "3")))
    assert same.content_length == 3


def test_header_field_make() -> None:
    field = HeaderField.make("Via", " SIP/2.0/UDP a ")
    assert (field.name, field.value, field.raw, field.key) == (
        "Via", "SIP/2.0/UDP a", "Via:  SIP/2.0/UDP a \r\n", "via")
    assert HeaderField.make("l", "0", separator=" :").raw == "l :0\r\n"


# -- editing: every method changes what it says and leaves every other byte alone -------------------------
def _lines(msg: Message) -> list[bytes]:
    return bytes(msg).split(b"\r\n")


def test_append_header(invite: Request) -> None:
    edited = invite.append_header("Reason", "SIP;cause=487")
    assert bytes(edited) == INVITE.replace(b"l: 4\r\n\r\n", b"l: 4\r\nReason: SIP;cause=487\r\n\r\n")
    assert bytes(invite) == INVITE  # the original is untouched


def test_insert_header(invite: Request) -> None:
    edited = invite.insert_header(0, "Via", "SIP/2.0/UDP new.example.com;branch=z9hG4bKnew")
    assert bytes(edited) == INVITE.replace(
        b"SIP/2.0\r\n", b"SIP/2.0\r\nVia: SIP/2.0/UDP new.example.com;branch=z9hG4bKnew\r\n", 1)
    assert edited.top_via.branch == "z9hG4bKnew"
    assert len(edited.vias) == 4


def test_remove_header_removes_every_spelling(invite: Request) -> None:
    edited = invite.remove_header("VIA")
    assert edited.fields("via") == []
    assert bytes(edited) == INVITE.replace(
        b"v: SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1, SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKuac\r\n",
        b"").replace(b"VIA:   SIP/2.0/TCP  last.example.com:5070 ;branch=z9hG4bKlast\r\n", b"")


def test_set_header_replaces_all_at_the_first_place(invite: Request) -> None:
    edited = invite.set_header("Route", "<sip:only.example.com;lr>")
    assert edited.header_values("route") == ["<sip:only.example.com;lr>"]
    assert bytes(edited) == INVITE.replace(
        b"Route: <sip:p2.example.com;lr>, <sip:p3.example.com;lr>\r\nroute: <sip:p4.example.com;lr>\r\n",
        b"Route: <sip:only.example.com;lr>\r\n")
    appended = invite.set_header("Contact", "<sip:alice@pc33>")
    assert bytes(appended) == INVITE.replace(b"l: 4\r\n\r\n", b"l: 4\r\nContact: <sip:alice@pc33>\r\n\r\n")


def test_set_header_is_case_and_compact_insensitive(invite: Request) -> None:
    edited = invite.set_header("call-id", "new-call-id")
    assert edited.call_id == "new-call-id"
    assert len(edited.fields("i")) == 1


def test_with_body_updates_content_length_keeping_its_spelling(invite: Request) -> None:
    edited = invite.with_body(b"hello world")
    assert edited.content_length == 11
    assert bytes(edited) == INVITE.replace(b"l: 4\r\n\r\nv=0\n", b"l: 11\r\n\r\nhello world")


def test_with_body_appends_content_length_when_missing() -> None:
    msg = parse_message(b"OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n"
                        b"To: <sip:x>\r\nFrom: <sip:y>;tag=1\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n")
    edited = msg.with_body(b"abc")
    assert bytes(edited).endswith(b"CSeq: 1 OPTIONS\r\nContent-Length: 3\r\n\r\nabc")
    assert parse_message(bytes(edited)).content_length == 3


def test_with_body_keeps_lf_only_and_spacing() -> None:
    data = b"OPTIONS sip:x SIP/2.0\nCONTENT-LENGTH :\t0\nContent-Length: 0\n\n"
    msg = parse_message(data, validate=False)
    assert bytes(msg.with_body(b"xy")) == b"OPTIONS sip:x SIP/2.0\nCONTENT-LENGTH :\t2\n\nxy"


def test_with_body_without_length_update(invite: Request) -> None:
    edited = invite.with_body(b"other", update_length=False)
    assert edited.header("l") == "4"
    with pytest.raises(ParseError):
        parse_message(bytes(edited), stream=True)
    assert parse_message(bytes(edited)).body == b"othe"  # a datagram's byte beyond the body goes (§18.3)


def test_with_method_and_uri(invite: Request) -> None:
    assert bytes(invite.with_method("CANCEL")) == INVITE.replace(b"INVITE sip:", b"CANCEL sip:", 1)
    changed = invite.with_uri("sip:carol@chicago.example.com")
    assert changed.uri == "sip:carol@chicago.example.com"
    assert bytes(changed)[len(changed.start_line):] == INVITE[INVITE.index(b"\r\n"):]


def test_str_is_the_wire_text(invite: Request) -> None:
    assert str(invite) == INVITE.decode()


def test_top_via_is_read_alone() -> None:
    """A malformed Via further down does not hide the top one (matching needs only that)."""
    msg = Request("OPTIONS sip:x SIP/2.0", (HeaderField.make("Via", "SIP/2.0/UDP a;branch=z9hG4bK1, garbage"),
                                             HeaderField.make("Via", "more garbage")))
    assert msg.top_via.branch == "z9hG4bK1"
    with pytest.raises(ParseError):
        msg.vias  # noqa: B018
    empty_first = Request("OPTIONS sip:x SIP/2.0",
                          (HeaderField.make("Via", ""), HeaderField.make("v", "SIP/2.0/TCP b")))
    assert empty_first.top_via.host == "b" and len(empty_first.vias) == 1


def test_values_lose_only_lws_at_their_edges() -> None:
    """§25.1: LWS is spaces and tabs; a no-break space or other Unicode space is part of the value."""
    data = "OPTIONS sip:x SIP/2.0\r\nSubject: \t\u00a0hi\u2003 \r\nX-A:\x0b\r\n\r\n".encode()
    msg = parse_message(data, validate=False)
    assert msg.header("subject") == "\u00a0hi\u2003"
    assert msg.header("x-a") == "\x0b"
    assert bytes(msg) == data
