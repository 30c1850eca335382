"""SIP URIs (§19.1): the parsed view, parameters, host/port splitting and §19.1.4 comparison."""

from __future__ import annotations

import pytest

from sipconform.sip import ParseError, SipUri
from sipconform.sip.uri import param_value, parse_params, split_hostport, split_outside_quotes, uri_equal

# text, scheme, user, password, host, port
PARTS = [
    ("sip:alice@atlanta.example.com", "sip", "alice", None, "atlanta.example.com", None),
    ("SIPS:Alice@Atlanta.Example.COM:5061", "sips", "Alice", None, "Atlanta.Example.COM", 5061),
    ("sip:alice:secretword@atlanta.example.com;transport=tcp", "sip", "alice", "secretword",
     "atlanta.example.com", None),
    ("sip:+1-212-555-1212:1234@gateway.example.com;user=phone", "sip", "+1-212-555-1212", "1234",
     "gateway.example.com", None),
    ("sip:registrar.example.com", "sip", None, None, "registrar.example.com", None),
    ("sip:192.0.2.4:5060", "sip", None, None, "192.0.2.4", 5060),
    ("sip:[2001:db8::10]", "sip", None, None, "[2001:db8::10]", None),
    ("sip:alice@[2001:db8::10]:5070;maddr=[2001:db8::1]", "sip", "alice", None, "[2001:db8::10]", 5070),
    ("sip:%61lice%20b@example.com", "sip", "%61lice%20b", None, "example.com", None),
    # user-unreserved holds ";" "?" "/" "," "&" "=" "+" "$": the user part ends at "@", not at ";" or "?"
    ("sip:user;par=u%40example.net@example.com", "sip", "user;par=u%40example.net", None, "example.com", None),
    ("sip:a?b/c,d&e=f+g$h@example.com:9", "sip", "a?b/c,d&e=f+g$h", None, "example.com", 9),
    ("sip:alice@atlanta.example.com?subject=project%20x&priority=urgent", "sip", "alice", None,
     "atlanta.example.com", None),
    ("sip:host_with_underscore.example.com.", "sip", None, None, "host_with_underscore.example.com.", None),
]


@pytest.mark.parametrize(("text", "scheme", "user", "password", "host", "port"), PARTS)
def test_parts(text: str, scheme: str, user: str | None, password: str | None, host: str, port: int | None) -> None:
    uri = SipUri.parse(text)
    assert (uri.scheme, uri.user, uri.password, uri.host, uri.port) == (scheme, user, password, host, port)
    assert str(uri) == text


def test_params_and_headers() -> None:
    uri = SipUri.parse("sip:bob@biloxi.com;Transport=TCP;lr;maddr=239.255.255.1;ttl=15?to=sip:bob%40b&x=")
    assert uri.params == (("Transport", "TCP"), ("lr", None), ("maddr", "239.255.255.1"), ("ttl", "15"))
    assert uri.transport == "tcp"
    assert uri.param("LR") == ""
    assert uri.param("maddr") == "239.255.255.1"
    assert uri.param("user") is None
    assert uri.headers == (("to", "sip:bob%40b"), ("x", ""))


def test_parse_strips_surrounding_whitespace() -> None:
    assert SipUri.parse("  sip:a@b  ").text == "sip:a@b"


BAD = [
    "", "alice@example.com", "sip", ":x@y", "1sip:x", "sip:", "sip:alice@", "sip:@example.com",
    "sip::pw@example.com", "sip:alice@exa mple.com", "sip:alice@example.com:", "sip:alice@example.com:50x0",
    "sip:alice@example.com:²²", "sip:alice@example.com:123456", "sip:[2001:db8::1", "sip:[2001:db8::1]x",
    "sip:[zz]", "sip:alice@<example.com>", "sip:alice@host;=novalue", "sip:a@b?noequals",
    "tel:+1-212-555-1212", "mailto:alice@example.com",
]


@pytest.mark.parametrize("text", BAD)
def test_garbage_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError) as info:
        uri = SipUri.parse(text)
        uri.params, uri.headers  # noqa: B018
    assert info.value.kind == "value"


# §19.1.4, the RFC's own examples first
EQUAL = [
    ("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"),
    ("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"),
    ("sip:carol@chicago.com", "sip:carol@chicago.com;security=on"),
    ("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
     "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"),
    ("sip:alice@atlanta.com?subject=project%20x&priority=urgent",
     "sip:alice@atlanta.com?priority=urgent&subject=project%20x"),
    ("SIP:bob@biloxi.com", "sip:bob@BILOXI.COM"),
    ("sip:bob@[2001:DB8::1]:5060", "sip:bob@[2001:db8::1]:5060"),
    ("tel:+1234", "TEL:+1234"),
]
NOT_EQUAL = [
    ("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"),
    ("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"),
    ("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"),
    ("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"),
    ("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"),
    ("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"),
    ("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"),
    ("sip:bob@biloxi.com", "sips:bob@biloxi.com"),
    ("sip:bob@biloxi.com", "sip:bob:pw@biloxi.com"),
    ("sip:biloxi.com", "sip:bob@biloxi.com"),
    ("sip:bob@biloxi.com", "sip:bob@biloxi.com;maddr=192.0.2.1"),
    ("sip:bob@biloxi.com;user=phone", "sip:bob@biloxi.com"),
    ("sip:a%3bb@example.com", "sip:a;b@example.com"),  # ";" is reserved: escaped and plain differ
    ("tel:+1234", "tel:+1235"),
]


@pytest.mark.parametrize(("a", "b"), EQUAL)
def test_equivalent(a: str, b: str) -> None:
    assert uri_equal(a, b) and uri_equal(b, a)


@pytest.mark.parametrize(("a", "b"), NOT_EQUAL)
def test_not_equivalent(a: str, b: str) -> None:
    assert not uri_equal(a, b) and not uri_equal(b, a)


def test_equivalence_is_not_transitive() -> None:
    """§19.1.4's own example: equality of URIs is not transitive."""
    base = SipUri.parse("sip:carol@chicago.com")
    on, off = SipUri.parse("sip:carol@chicago.com;security=on"), SipUri.parse("sip:carol@chicago.com;security=off")
    assert base.equivalent(on) and base.equivalent(off) and not on.equivalent(off)


def test_garbage_compares_as_text() -> None:
    assert uri_equal("sip:bad host", "sip:bad host")
    assert not uri_equal("sip:bad host", "sip:bad  host")


# parse_params / split_outside_quotes / param_value
PARAMS = [
    (";a=1;b", (("a", "1"), ("b", None))),
    ("a=1 ; b = 2 ;c", (("a", "1"), ("b", "2"), ("c", None))),
    (';text="a;b";x', (("text", '"a;b"'), ("x", None))),
    (';q="\\";";y=1', (("q", '"\\";"'), ("y", "1"))),
    (";;a;;", (("a", None),)),
    ("", ()),
    (";TAG=Abc", (("TAG", "Abc"),)),
    (";empty=", (("empty", ""),)),
]


@pytest.mark.parametrize(("text", "expected"), PARAMS)
def test_parse_params(text: str, expected: tuple[tuple[str, str | None], ...]) -> None:
    assert parse_params(text) == expected


@pytest.mark.parametrize("text", [";=x", "; =1", ';a b=1', ';"q"=1'])
def test_parse_params_rejects_nameless_or_odd_names(text: str) -> None:
    with pytest.raises(ParseError):
        parse_params(text)


def test_param_value_is_case_insensitive_on_names_and_first_wins() -> None:
    params = (("Branch", "z9hG4bK1"), ("branch", "z9hG4bK2"), ("rport", None))
    assert param_value(params, "BRANCH") == "z9hG4bK1"
    assert param_value(params, "rport") == ""
    assert param_value(params, "received") is None


@pytest.mark.parametrize(("text", "sep", "expected"), [
    ("a,b", ",", ["a", "b"]),
    ('"a,b",c', ",", ['"a,b"', "c"]),
    ("<sip:a;x=1,2>,<sip:b>", ",", ["<sip:a;x=1,2>", "<sip:b>"]),
    ('"a\\",b",c', ",", ['"a\\",b"', "c"]),
    ('"unterminated, quote', ",", ['"unterminated, quote']),
    ("a>b,c", ",", ["a>b", "c"]),
])
def test_split_outside_quotes(text: str, sep: str, expected: list[str]) -> None:
    assert split_outside_quotes(text, sep) == expected


@pytest.mark.parametrize(("text", "sws", "expected"), [
    ("host", False, ("host", None)),
    ("host:5060", False, ("host", 5060)),
    ("host : 5060", True, ("host", 5060)),
    ("[::1]:5060", False, ("[::1]", 5060)),
    ("[::1] :\t5060", True, ("[::1]", 5060)),
    ("192.0.2.1", False, ("192.0.2.1", None)),
])
def test_split_hostport(text: str, sws: bool, expected: tuple[str, int | None]) -> None:
    assert split_hostport(text, sws=sws) == expected


@pytest.mark.parametrize("text", ["host : 5060", "", ":5060", "host:", "host junk", "[::1", "[::1]5060", "ho st"])
def test_split_hostport_rejects(text: str) -> None:
    with pytest.raises(ParseError):
        split_hostport(text)
