"""The parser's shortcuts give exactly what the plain code gives: the kept wire bytes of an unedited
message, and the views built without the frozen-dataclass ``__init__``."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sipconform.sip import ParseError, Request, grammar, headers, parse, parse_message, uri
from sipconform.sip.headers import CSeq, NameAddr, Via
from sipconform.strategies import Generated, messages

SETTINGS = settings(max_examples=60, deadline=None, print_blob=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _joined(msg: object) -> bytes:
    """``bytes(msg)`` the long way, from the fields (what ``__bytes__`` does without kept bytes)."""
    copy = dataclasses.replace(msg)  # type: ignore[type-var]
    assert "_wire" not in copy.__dict__
    return bytes(copy)


@SETTINGS
@given(messages(with_length=None))
def test_kept_wire_equals_joined_fields(gen: Generated) -> None:
    msg = parse_message(gen.data)
    assert bytes(msg) == gen.data
    assert _joined(msg) == gen.data
    assert bytes(msg.with_headers(msg.headers)) == gen.data
    built = type(msg)(msg.start_line, msg.headers, msg.body, msg.start_eol, msg.blank_line)
    assert built == msg and hash(built) == hash(msg) and repr(built) == repr(msg)


@SETTINGS
@given(messages(with_length=None))
def test_edits_do_not_carry_the_wire(gen: Generated) -> None:
    msg = parse_message(gen.data)
    edited = [
        msg.append_header("X-Test", "1"),
        msg.insert_header(0, "X-Test", "2"),
        msg.remove_header("call-id"),
        msg.set_header("Call-ID", "other@x"),
        msg.with_body(b"abc"),
        msg.with_body(b"abc", update_length=False),
    ]
    if isinstance(msg, Request):
        edited += [msg.with_method("FOO"), msg.with_uri("sip:x@example.com")]
    for new in edited:
        assert "_wire" not in new.__dict__
        assert bytes(new) == _joined(new)
    for new in edited[:3]:  # these always change the bytes
        assert bytes(new) != gen.data


def test_bytearray_input_is_not_kept() -> None:
    data = bytearray(b"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
                     b"To: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n\r\n")
    msg = parse_message(data)  # type: ignore[arg-type]
    data[0:7] = b"XXXXXXX"
    assert bytes(msg).startswith(b"OPTIONS ")


@SETTINGS
@given(messages(with_length=None))
def test_views_equal_dataclass_built_ones(gen: Generated) -> None:
    msg = parse_message(gen.data)
    for view in (msg.from_, msg.to, *msg.routes, msg.cseq, msg.top_via, *msg.vias):
        built = type(view)(**{f.name: getattr(view, f.name) for f in dataclasses.fields(view)})
        assert built == view and hash(built) == hash(view) and repr(built) == repr(view)
        assert isinstance(view, (NameAddr, CSeq, Via))


# -- NameAddr / Via: the one-regex fast path against the careful path -----------------------------------

_NEVER = re.compile(r"(?!)")


def _outcome(parse, text):  # type: ignore[no-untyped-def]
    try:
        view = parse(text)
    except ParseError as exc:
        return ("error", exc.kind)
    return ("ok", view, view.__dict__.get("_hostport") if isinstance(view, Via) else None,
            view._hostport if isinstance(view, Via) else None)


def _careful(parse, text, monkeypatch, name):  # type: ignore[no-untyped-def]
    with monkeypatch.context() as m:
        m.setattr(headers, name, _NEVER)
        return _outcome(parse, text)


# Pieces that sit on the edges of the fast patterns: quotes, escapes, brackets, spaces, tabs, unicode
# spaces, semicolons, colons, long ports, IPv6.
_PIECES = st.sampled_from([
    '"', '\\', '<', '>', ' ', '\t', '\u00a0', '\x0b', ';', '=', ',', ':', '@', '[', ']', '::1', 'sip:', 'a', 'Bob',
    '"Al\\"ice"', ';tag=1', ';lr', ';=x', ';;', 'x.example.com', ':5060', ':005060', ':123456', 'SIP/2.0/UDP ',
    'SIP / 2.0 / TCP  ', ';branch=z9hG4bK1', ';rport', ';received=1.2.3.4', '\u00e9', '_', '-', '\r\n ',
])
_TEXTS = st.lists(_PIECES, max_size=12).map("".join)


@settings(SETTINGS, max_examples=400)
@given(st.one_of(_TEXTS, st.text(max_size=40)))
def test_name_addr_fast_path_agrees(text: str) -> None:
    mp = pytest.MonkeyPatch()
    try:
        assert _outcome(NameAddr.parse, text) == _careful(NameAddr.parse, text, mp, "_NAME_ADDR_FAST")
    finally:
        mp.undo()


@settings(SETTINGS, max_examples=400)
@given(st.one_of(_TEXTS, st.builds(lambda a, b: "SIP/2.0/UDP " + a + b, _TEXTS, _TEXTS), st.text(max_size=40)))
def test_via_fast_path_agrees(text: str) -> None:
    mp = pytest.MonkeyPatch()
    try:
        assert _outcome(Via.parse, text) == _careful(Via.parse, text, mp, "_VIA_FAST")
    finally:
        mp.undo()


@settings(SETTINGS, max_examples=60)
@given(messages(with_length=None))
def test_generated_values_take_the_same_results_either_way(gen: Generated) -> None:
    msg = parse_message(gen.data)
    mp = pytest.MonkeyPatch()
    try:
        for name in ("from", "to", "route", "record-route", "contact"):
            for value in msg.header_values(name):
                assert _outcome(NameAddr.parse, value) == _careful(NameAddr.parse, value, mp, "_NAME_ADDR_FAST")
        for value in msg.header_values("via"):
            assert _outcome(Via.parse, value) == _careful(Via.parse, value, mp, "_VIA_FAST")
    finally:
        mp.undo()


@settings(SETTINGS, max_examples=300)
@given(st.one_of(st.builds(lambda a, b: a + b, st.sampled_from(["1 ", "2147483647 ", "2147483648 ", "0000000001 ",
                                                                  "00000000001 ", "9999999999 ", "1  ", " 1 ", "1\t",
                                                                  "\u0661 ", "-1 ", ""]),
                           st.sampled_from(["INVITE", "CANCEL", "invite", "A B", "", "IN\u00c9", "X;y", "ACK "])),
                 st.text(max_size=20)))
def test_cseq_fast_path_agrees(text: str) -> None:
    mp = pytest.MonkeyPatch()
    try:
        with mp.context() as m:
            m.setattr(headers, "_CSEQ_QUICK", False)
            pattern_only = _outcome(CSeq.parse, text)
            careful = _careful(CSeq.parse, text, m, "_CSEQ_FAST")
        quick_only = _careful(CSeq.parse, text, mp, "_CSEQ_FAST")
        assert _outcome(CSeq.parse, text) == pattern_only == careful == quick_only
    finally:
        mp.undo()


def test_fast_paths_are_taken_on_the_usual_forms() -> None:
    assert headers._CSEQ_FAST.fullmatch("314159 INVITE")
    assert headers._NAME_ADDR_FAST.fullmatch('"Alice" <sip:alice@atlanta.example.com>;tag=1928301774')
    assert headers._NAME_ADDR_FAST.fullmatch("Bob <sip:bob@biloxi.example.com>")
    assert headers._VIA_FAST.fullmatch("SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport")
    via = Via.parse("SIP/2.0/TCP [2001:db8::1]:5061;branch=z9hG4bKx")
    assert (via.host, via.port, via.branch) == ("[2001:db8::1]", 5061, "z9hG4bKx")


# -- parse_params: the plain split against the careful loop ---------------------------------------------

def _params_outcome(text: str, plain: bool) -> object:
    try:
        if plain:
            return ("ok", uri.parse_params(text))
        return ("ok", uri._parse_params(text, ";"))
    except ParseError as exc:
        return ("error", exc.kind)


_PARAM_PIECES = st.sampled_from([
    ";", "=", ";=", "==", " ", "\t", "\u00a0", "\u2028", '"', "<", ">", ",", "a", "tag", "branch", "z9hG4bK1", ";lr",
    ";tag=1", ";rport", ";received=1.2.3.4", ";maddr=[::1]", ";x=a=b", "\u00e9", "%20", "?", "@",
])


@settings(SETTINGS, max_examples=500)
@given(st.one_of(st.lists(_PARAM_PIECES, max_size=10).map("".join), st.text(max_size=30)))
def test_plain_params_agree_with_the_careful_loop(text: str) -> None:
    assert _params_outcome(text, plain=True) == _params_outcome(text, plain=False)


def test_plain_params_are_taken_on_the_usual_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    usual = (";branch=z9hG4bK776asdhds;received=192.0.2.1;rport", ";tag=1928301774", ";lr;x=;y=a=b;;z")
    want = [uri.parse_params(text) for text in usual]
    assert want[2] == (("lr", None), ("x", ""), ("y", "a=b"), ("z", None))

    def careful(text: str, sep: str) -> None:
        raise AssertionError(f"careful path taken for {text!r}")

    monkeypatch.setattr(uri, "_parse_params", careful)
    assert [uri.parse_params(text) for text in usual] == want
    for odd in ("", ";tag= 1", ';a="x;y"', ";=x", "=x", ";a<b", ";a,b", ";a>b", "; tag=1", ";a\u00a0=1", "; "):
        with pytest.raises(AssertionError, match="careful path"):
            uri.parse_params(odd)


# -- header fields: the split-and-partition path against the careful one --------------------------------

@settings(SETTINGS, max_examples=60)
@given(messages(folding=True))
def test_fast_header_path_leaves_folded_messages_to_the_careful_one(gen: Generated) -> None:
    """Folded or not, the fast path gives the careful path's fields or gives up (None), never others."""
    cut = parse.split_head(gen.data)
    assert cut is not None
    head = gen.data[:cut[0]].decode("utf-8")
    lines = head.split("\n")[:-1]
    careful = parse._parse_fields(lines)  # also teaches the fast path every name in the message
    fast = parse._parse_fields_fast(head[len(lines[0]) + 1:], {})
    if any(line[:1] in (" ", "\t") for line in lines[1:]):
        assert fast is None
    elif fast is not None:
        assert fast == careful and [f.key for f in fast] == [f.key for f in careful]


@pytest.mark.parametrize("block", [
    "Via: SIP/2.0/UDP h\r\n ;branch=z9hG4bK1\r\n",   # folded with a space
    "Via: SIP/2.0/UDP h\r\n\t;branch=z9hG4bK1\r\n",  # folded with a tab
    "Via : SIP/2.0/UDP h\r\n",                        # space before the colon
    "Via\r\n",                                        # no colon
    ": x\r\n",                                        # no name
    "Unknown-Never-Seen-Name: x\r\n",                 # a name not learnt yet
    "Content-Length: 0\r\nVia: x\r\nl: 0\r\n",           # a second Content-Length
])
def test_fast_header_path_gives_up_on_anything_unusual(block: str) -> None:
    parse._parse_fields(["START", "Via: x", "Call-ID: y", "Content-Length: 0", "l: 0"])  # learn the usual names
    assert parse._parse_fields_fast(block, {}) is None


def test_fast_header_path_on_the_usual_block() -> None:
    parse._parse_fields(["START", "Via: x", "Call-ID: y", "l: 0"])
    first: dict[str, str] = {}
    fields = parse._parse_fields_fast("Via:  SIP/2.0/UDP h \t\r\nCall-ID:y\r\nl: 0\nv: other\r\n", first)
    assert fields == parse._parse_fields(["START", "Via:  SIP/2.0/UDP h \t\r", "Call-ID:y\r", "l: 0", "v: other\r"])
    assert fields is not None and [f.key for f in fields] == ["via", "call-id", "content-length", "via"]
    assert first == {"via": "SIP/2.0/UDP h", "call-id": "y", "content-length": "0"}
    assert parse._parse_fields_fast("", {}) == ()


# -- start line and head: the shortcuts are the same tests --------------------------------------------------

def test_start_line_shortcuts_are_what_the_patterns_accept() -> None:
    assert grammar.VERSION_RE.fullmatch("SIP/2.0")
    assert all(grammar.TOKEN_RE.fullmatch(method) for method in parse._METHODS)


@settings(SETTINGS, max_examples=300)
@given(st.lists(st.sampled_from([b"a", b"\n", b"\r\n", b"\r", b"\n\n", b"\n\r\n", b" "]), max_size=16).map(b"".join),
       st.integers(0, 4))
def test_split_head_equals_the_unbounded_search(data: bytes, start: int) -> None:
    crlf, lf = data.find(b"\n\r\n", start), data.find(b"\n\n", start)
    want = None if crlf < 0 and lf < 0 else (crlf + 1, crlf + 3) if lf < 0 or 0 <= crlf < lf else (lf + 1, lf + 2)
    assert parse.split_head(data, start) == want


# -- parse_message: the quick cut at the CRLF empty line against split_head's cut ---------------------------

_HEAD = (b"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
         b"To: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n")


def _careful_parse(data: bytes, monkeypatch: pytest.MonkeyPatch) -> object:
    """``parse_message`` with the quick cut never taken: what the plain ``split_head`` cut gives."""
    with monkeypatch.context() as m:
        real = parse._parse_cut
        m.setattr(parse, "_parse_cut", lambda *a, quick: None if quick else real(*a, quick=False))
        try:
            msg = parse.parse_message(data)
        except ParseError as exc:
            return ("error", exc.kind, str(exc))
        return ("ok", msg, bytes(msg), msg.body)


def _quick_parse(data: bytes) -> object:
    try:
        msg = parse.parse_message(data)
    except ParseError as exc:
        return ("error", exc.kind, str(exc))
    return ("ok", msg, bytes(msg), msg.body)


@pytest.mark.parametrize("data", [
    _HEAD + b"\r\nbody",                                  # the usual: CRLF empty line
    _HEAD + b"\nbody\r\n\r\nmore",                        # a bare-LF empty line first: the body starts there
    _HEAD[:-2] + b"\n\nX-After: 1\r\n\r\n",               # idem, right after a field
    _HEAD + b"\n\xff\xfe\r\n\r\n",                        # not UTF-8 after the bare-LF empty line: body bytes
    _HEAD + b"X-Bad: \xff\r\n\r\n",                       # not UTF-8 in the head: an encoding error either way
    _HEAD + b"Folded: a\r\n b\r\n\r\n",                   # folding: the careful field path
    _HEAD + b"l: 1\r\nContent-Length: 1\r\n\r\nx",        # two Content-Length fields
    b"\n\n\r\n\r\n", b"\r\n\r\n", b"OPTIONS sip:a@b SIP/2.0\r\n\r\n",
])
def test_quick_cut_equals_the_split_head_cut(data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _quick_parse(data) == _careful_parse(data, monkeypatch)


@settings(SETTINGS, max_examples=200)
@given(st.lists(st.sampled_from([b"\r\n", b"\n", b"\n\n", b"\r\n\r\n", b"X-A: 1", b"l: 0", b" b", b"\xff", b"x"]),
                max_size=8).map(b"".join))
def test_quick_cut_equals_the_split_head_cut_property(tail: bytes) -> None:
    mp = pytest.MonkeyPatch()
    try:
        data = _HEAD + tail + b"\r\n\r\n"
        assert _quick_parse(data) == _careful_parse(data, mp)
    finally:
        mp.undo()
