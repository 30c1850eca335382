"""``malformations``: what a message a DUT may send breaks, named by rule and section (RFC 3261 §7, §20, §25).

The RFC 4475 messages exercise most rules (``test_rfc4475.py``); here each rule once on a message the
suite itself builds, broken one way, and the well-formed builds are shown to have none.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from sipconform.sip import Request, cancel_for, parse_message, request, response_to
from sipconform.sip.malformations import Malformation, malformations

INVITE = request("INVITE", "sip:bob@biloxi.example.com", [
    ("Via", "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds"),
    ("Max-Forwards", "70"), ("To", "Bob <sip:bob@biloxi.example.com>"),
    ("From", "\"Alice, A.\" <sip:alice@atlanta.example.com>;tag=1928301774"),
    ("Call-ID", "a84b4c76e66710@pc33.atlanta.example.com"), ("CSeq", "314159 INVITE"),
    ("Contact", "<sip:alice@pc33.atlanta.example.com>"), ("Date", "Sat, 13 Nov 2010 23:29:00 GMT"),
])


def rules(msg: object) -> list[str]:
    return [m.rule for m in malformations(msg)]  # type: ignore[arg-type]


def test_well_formed_messages_have_none() -> None:
    cancel = cancel_for(INVITE)
    for msg in (INVITE, cancel, response_to(INVITE, 487, to_tag="x"), response_to(cancel, 200, to_tag="x")):
        assert malformations(parse_message(bytes(msg))) == []


def test_two_to_header_fields_in_a_487() -> None:
    r487 = response_to(INVITE, 487, to_tag="x").append_header("To", "<sip:other@example.com>")
    found = malformations(r487)
    assert found == [Malformation("single-instance", "RFC 3261 §7.3.1, §20.39",
                                  "2 To header fields, where one is allowed")]
    assert str(found[0]) == "2 To header fields, where one is allowed (RFC 3261 §7.3.1, §20.39)"
    assert r487.to.tag == "x"  # the view reads the first: the finding, not the view, says there are two


def test_a_version_other_than_sip_2_0() -> None:
    ok = response_to(cancel_for(INVITE), 200, to_tag="x")
    seven = parse_message(bytes(replace(ok, start_line="SIP/7.0 200 OK")))
    assert rules(seven) == ["sip-version"] and "'SIP/7.0'" in str(malformations(seven)[0])
    assert rules(parse_message(bytes(INVITE).replace(b" SIP/2.0\r\n", b" sip/2.0\r\n", 1))) == []  # case-insensitive


@pytest.mark.parametrize(("edit", "rule"), [
    (lambda m: m.set_header("CSeq", "314159 INVITE"), "cseq-method"),          # a CANCEL, RFC3261-9.1-4
    (lambda m: m.set_header("Via", "SIP/2.0/UDP h;branch=z9hG4bK"), "branch-cookie-only"),
    (lambda m: m.set_header("Max-Forwards", "256"), "max-forwards-range"),
    (lambda m: m.set_header("Max-Forwards", "many"), "header-value"),
    (lambda m: m.with_uri("sip:bob@biloxi.example.com?Subject=hi"), "request-uri-headers"),
    (lambda m: m.with_uri("<sip:bob@biloxi.example.com>"), "request-uri"),
    (lambda m: m.set_header("Contact", "sip:a@b?x=y"), "addr-spec-brackets"),
    (lambda m: m.set_header("To", "Bob, B. <sip:bob@biloxi.example.com>"), "display-name"),
    (lambda m: m.set_header("To", "<sip:bob@biloxi.example.com >"), "addr-spec-spaces"),
    (lambda m: m.set_header("To", "\"Bob <sip:bob@biloxi.example.com>"), "header-value"),
    (lambda m: m.set_header("Route", "<sip:p1.example.com;lr>,,<sip:p2.example.com;lr>"), "empty-element"),
    (lambda m: m.set_header("Via", "SIP/2.0/UDP h;;branch=z9hG4bKx"), "empty-element"),
    (lambda m: m.set_header("Date", "Sat, 13 Nov 2010 23:29:00 EST"), "date"),
])
def test_each_rule(edit: object, rule: str) -> None:
    broken = edit(cancel_for(INVITE))  # type: ignore[operator]
    assert isinstance(broken, Request)
    found = malformations(parse_message(bytes(broken), validate=False))
    assert [m.rule for m in found] == [rule], [str(m) for m in found]
    assert found[0].section.startswith("RFC 3261 §")


def test_a_non_sip_request_uri_is_well_formed() -> None:
    """§7.1: "a SIP or SIPS URI ... or a general URI": another scheme is legal (RFC 4475 §3.3.2)."""
    assert rules(INVITE.with_uri("tel:+1-201-555-0123")) == []


def test_never_raises_on_a_message_built_by_hand() -> None:
    broken = Request("INVITE-without-uri", INVITE.headers)
    assert [m.rule for m in malformations(broken)] == ["sip-version", "request-line"]
