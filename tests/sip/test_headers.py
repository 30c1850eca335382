"""Parsed header views (§20, §25.1): Via, name-addr (From/To/Route/Contact), CSeq, and list splitting."""

from __future__ import annotations

import pytest

from sipconform.sip import CSeq, NameAddr, ParseError, Via
from sipconform.sip.headers import split_list

# -- Via ------------------------------------------------------------------------------------------
# text, sent_protocol, host, port, branch, received, rport
VIAS = [
    ("SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds",
     "SIP/2.0/UDP", "pc33.atlanta.com", None, "z9hG4bK776asdhds", None, None),
    ("SIP/2.0/TCP client.biloxi.example.com:5060;branch=z9hG4bK74b43",
     "SIP/2.0/TCP", "client.biloxi.example.com", 5060, "z9hG4bK74b43", None, None),
    ("SIP/2.0/UDP 192.0.2.1:5060;received=192.0.2.207;branch=z9hG4bK77asjd",
     "SIP/2.0/UDP", "192.0.2.1", 5060, "z9hG4bK77asjd", "192.0.2.207", None),
    ("SIP/2.0/UDP 192.0.2.1;rport;branch=z9hG4bKx", "SIP/2.0/UDP", "192.0.2.1", None, "z9hG4bKx", None, ""),
    ("SIP/2.0/UDP 192.0.2.1:5060;rport=5061;received=203.0.113.1;branch=z9hG4bKx",
     "SIP/2.0/UDP", "192.0.2.1", 5060, "z9hG4bKx", "203.0.113.1", "5061"),
    ("SIP / 2.0 / UDP first.example.com: 4000;ttl=16 ;maddr=224.2.0.1 ;branch=z9hG4bKa7c6a8dlze.1",
     "SIP/2.0/UDP", "first.example.com", 4000, "z9hG4bKa7c6a8dlze.1", None, None),
    ("SIP/2.0/UDP [2001:db8::9:1]:5060;branch=z9hG4bKas3-111;received=2001:db8::9:255",
     "SIP/2.0/UDP", "[2001:db8::9:1]", 5060, "z9hG4bKas3-111", "2001:db8::9:255", None),
    ("SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKv6", "SIP/2.0/UDP", "[2001:db8::9:1]", None, "z9hG4bKv6", None, None),
    ("sip/2.0/tls host.example.com ; BRANCH = z9hG4bKcase", "SIP/2.0/TLS", "host.example.com", None,
     "z9hG4bKcase", None, None),
    ("SIP/2.0/UDP\thost.example.com\t:\t5062", "SIP/2.0/UDP", "host.example.com", 5062, None, None, None),
    ("SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKx", "SIP/2.0/WSS", "df7jal23ls0d.invalid", None, "z9hG4bKx",
     None, None),
]


@pytest.mark.parametrize(("text", "proto", "host", "port", "branch", "received", "rport"), VIAS)
def test_via(text: str, proto: str, host: str, port: int | None, branch: str | None, received: str | None,
             rport: str | None) -> None:
    via = Via.parse(text)
    assert (via.sent_protocol, via.host, via.port, via.branch, via.received, via.rport) == (
        proto, host, port, branch, received, rport)
    assert str(via) == text.strip()


def test_via_parts_and_params_keep_their_spelling() -> None:
    via = Via.parse("  SIP/2.0/udp host;X-Flag;Branch=z9hG4bKabc;x=\"a;b\"  ")
    assert (via.protocol, via.version, via.transport, via.sent_by) == ("SIP", "2.0", "udp", "host")
    assert via.params == (("X-Flag", None), ("Branch", "z9hG4bKabc"), ("x", '"a;b"'))
    assert via.text == 'SIP/2.0/udp host;X-Flag;Branch=z9hG4bKabc;x="a;b"'
    assert via.param("x-flag") == ""


@pytest.mark.parametrize(("branch", "rfc3261"), [
    ("z9hG4bK776asdhds", True), ("z9hG4bK", False), ("1", False), ("Z9HG4BKabc", False), (None, False), ("", False),
])
def test_magic_cookie(branch: str | None, rfc3261: bool) -> None:
    text = "SIP/2.0/UDP host" + ("" if branch is None else ";branch" + (f"={branch}" if branch else ""))
    assert Via.parse(text).is_rfc3261_branch is rfc3261


BAD_VIAS = [
    "", "SIP/2.0/UDP", "SIP/2.0/UDP ;branch=z9hG4bKx", "SIP/2.0 host", "SIP/2.0/UDP/X host",
    "garbage", "this is not a via at all;branch=z9hG4bKx", "SIP/2.0/UDP host junk", "SIP/2.0/UDP host:",
    "SIP/2.0/UDP host:50x0", "SIP/2.0/UDP host:²²", "SIP/2.0/UDP [2001:db8::1", "SIP/2.0/UDP [2001:db8::1]x",
    "SIP/2.0/UDP host;=x", "SIP/2.0/UDP ho\"st", "SIP@/2.0/UDP host", "SIP/2.0/UDP <host>",
    "SIP/2.0/UDP host:" + "9" * 5000,
]


@pytest.mark.parametrize("text", BAD_VIAS)
def test_via_garbage_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError) as info:
        Via.parse(text)
    assert info.value.kind == "value"


def test_via_parse_is_linear_in_whitespace() -> None:
    """A sent-by full of spaces must not make the Via regex backtrack quadratically."""
    with pytest.raises(ParseError):
        Via.parse("SIP/2.0/UDP a" + " " * 60_000 + "b")


# -- name-addr ---------------------------------------------------------------------------------------
# text, display_name (as written), display (read), uri, tag
ADDRS = [
    ("Bob <sip:bob@biloxi.com>;tag=a6c85cf", "Bob", "Bob", "sip:bob@biloxi.com", "a6c85cf"),
    ('"Bob" <sip:bob@biloxi.com>', '"Bob"', "Bob", "sip:bob@biloxi.com", None),
    ("<sip:bob@biloxi.com>", None, None, "sip:bob@biloxi.com", None),
    ("sip:bob@biloxi.com;tag=887s", None, None, "sip:bob@biloxi.com", "887s"),
    ('"A, \\"B\\" <C>" <sip:x@y>;tag=t', '"A, \\"B\\" <C>"', 'A, "B" <C>', "sip:x@y", "t"),
    ('"\\\\ backslash" <sip:x@y>', '"\\\\ backslash"', "\\ backslash", "sip:x@y", None),
    ("The Operator <sip:operator@cs.columbia.edu>;TAG=287447", "The Operator", "The Operator",
     "sip:operator@cs.columbia.edu", "287447"),
    ("  < sip:spaces@inside.example.com >  ;  tag = 1 ", None, None, "sip:spaces@inside.example.com", "1"),
    ('"" <sip:empty@display>', '""', "", "sip:empty@display", None),
    ("<sip:p1.example.com;lr>", None, None, "sip:p1.example.com;lr", None),
    ("Bob\t<sip:bob@tab.example.com>", "Bob", "Bob", "sip:bob@tab.example.com", None),
    ("<sip:x@y>;tag", None, None, "sip:x@y", ""),
    ("*", None, None, "*", None),
]


@pytest.mark.parametrize(("text", "display_name", "display", "uri", "tag"), ADDRS)
def test_name_addr(text: str, display_name: str | None, display: str | None, uri: str, tag: str | None) -> None:
    addr = NameAddr.parse(text)
    assert (addr.display_name, addr.display, addr.uri, addr.tag) == (display_name, display, uri, tag)
    assert addr.text == text.strip()


def test_addr_spec_params_belong_to_the_header() -> None:
    """§20.10: without angle brackets, the parameters after the URI are header parameters."""
    addr = NameAddr.parse("sip:alice@atlanta.com;tag=1;expires=60")
    assert addr.uri == "sip:alice@atlanta.com"
    assert addr.params == (("tag", "1"), ("expires", "60"))
    bracketed = NameAddr.parse("<sip:alice@atlanta.com;transport=tcp>;tag=1")
    assert bracketed.sip_uri.transport == "tcp"
    assert bracketed.params == (("tag", "1"),)


@pytest.mark.parametrize(("text", "expected"), [
    ("Bob <sip:bob@b>;tag=1", "Bob <sip:bob@b>"),
    ("Bob <sip:bob@b>;x=1;tag=1;y", "Bob <sip:bob@b>;x=1;y"),
    ("sip:bob@b;tag=1", "sip:bob@b"),
    ('"a>b" <sip:bob@b>;tag=1;q=">"', '"a>b" <sip:bob@b>;q=">"'),
    ("<sip:bob@b>", "<sip:bob@b>"),
])
def test_without_tag(text: str, expected: str) -> None:
    assert NameAddr.parse(text).without_tag() == expected


BAD_ADDRS = [
    "", "   ", "<sip:bob@b", '"Bob" sip:bob@b', '"unterminated <sip:bob@b>', "<>", "<sip:x@y> junk",
    "<sip:x@y>junk;tag=1", '"Bob" junk <sip:x@y>', "Bob sip:bob@b", "sip:bob@b>", "<sip:x@y>;=1",
]


@pytest.mark.parametrize("text", BAD_ADDRS)
def test_name_addr_garbage_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError) as info:
        NameAddr.parse(text)
    assert info.value.kind == "value"


# -- CSeq ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "number", "method"), [
    ("314159 INVITE", 314159, "INVITE"),
    ("1 CANCEL", 1, "CANCEL"),
    ("  0\t  ACK ", 0, "ACK"),
    ("2147483647 REGISTER", 2**31 - 1, "REGISTER"),
    ("00000000001 INVITE", 1, "INVITE"),
    ("4 invite", 4, "invite"),
    ("5 !interesting-Method0123456789_*+`.%indeed'~", 5, "!interesting-Method0123456789_*+`.%indeed'~"),
])
def test_cseq(text: str, number: int, method: str) -> None:
    cseq = CSeq.parse(text)
    assert (cseq.number, cseq.method) == (number, method)
    assert str(cseq) == f"{number} {method}"


@pytest.mark.parametrize("text", [
    "", "INVITE", "1", "INVITE 1", "-1 INVITE", "+1 INVITE", "1.5 INVITE", "2147483648 INVITE",
    "99999999999 INVITE", "1 INVITE extra", "² INVITE", "٣ INVITE", "1 INV@ITE", "1 INVITÉ", "9" * 5000 + " INVITE",
])
def test_cseq_garbage_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError) as info:
        CSeq.parse(text)
    assert info.value.kind == "value"


# -- split_list -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "parts"), [
    ("a, b ,c", ["a", "b", "c"]),
    ("single", ["single"]),
    ("", []),
    ("  ", []),
    (",,a,,", ["a"]),
    ('"Doe, John" <sip:j@d>, <sip:k@d>', ['"Doe, John" <sip:j@d>', "<sip:k@d>"]),
    ("<sip:a@b;x=1,2>;p=q, <sip:c@d>", ["<sip:a@b;x=1,2>;p=q", "<sip:c@d>"]),
    ('"a \\" , b" <sip:x@y>, <sip:z@w>', ['"a \\" , b" <sip:x@y>', "<sip:z@w>"]),
    ("SIP/2.0/UDP a;branch=z9hG4bK1,SIP/2.0/UDP b;branch=z9hG4bK2",
     ["SIP/2.0/UDP a;branch=z9hG4bK1", "SIP/2.0/UDP b;branch=z9hG4bK2"]),
    ('SIP;cause=200;text="Call completed, elsewhere", Q.850;cause=16',
     ['SIP;cause=200;text="Call completed, elsewhere"', "Q.850;cause=16"]),
])
def test_split_list(value: str, parts: list[str]) -> None:
    assert split_list(value) == parts
