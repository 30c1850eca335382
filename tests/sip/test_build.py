"""Builders (§9.1 CANCEL, §17.1.1.3 ACK, §8.2.6 responses): correct by construction, checked rule by rule."""

from __future__ import annotations

import pytest

from sipconform.sip import (
    Request, Response, ack_for_non2xx, cancel_for, cancel_matches, matches_transaction, parse_message, request,
    response_to,
)
from sipconform.sip.build import default_to_tag

VIA_TOP = "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds"


def invite_with(*extra: str, compact: bool = False, to_tag: str | None = None, vias: int = 1) -> Request:
    names = {"via": "v", "to": "t", "from": "f", "call-id": "i", "content-length": "l"} if compact else {}

    def n(long: str) -> str:
        return names.get(long.lower(), long)

    via_values = [VIA_TOP] + [f"SIP/2.0/UDP proxy{i}.example.com;branch=z9hG4bKp{i}" for i in range(1, vias)]
    lines = [
        "INVITE sip:bob@biloxi.example.com SIP/2.0",
        f"{n('Via')}: {', '.join(via_values[:2])}",
        *[f"{n('Via')}: {v}" for v in via_values[2:]],
        "Max-Forwards: 70",
        f"{n('To')}: Bob <sip:bob@biloxi.example.com>" + (f";tag={to_tag}" if to_tag else ""),
        f"{n('From')}: \"Alice, A.\" <sip:alice@atlanta.example.com>;tag=1928301774",
        f"{n('Call-ID')}: a84b4c76e66710@pc33.atlanta.example.com",
        "CSeq: 314159 INVITE",
        "Contact: <sip:alice@pc33.atlanta.example.com>",
        *extra,
        f"{n('Content-Length')}: 0",
    ]
    msg = parse_message(("\r\n".join(lines) + "\r\n\r\n").encode())
    assert isinstance(msg, Request)
    return msg


def check_cancel(invite: Request, cancel: Request) -> None:
    """Every MUST of §9.1 about the CANCEL's content."""
    assert cancel.method == "CANCEL"
    assert cancel.uri == invite.uri
    assert cancel.call_id == invite.call_id
    assert cancel.to.text == invite.to.text and cancel.to.tag == invite.to.tag
    assert cancel.from_.text == invite.from_.text and cancel.from_.tag == invite.from_.tag
    assert cancel.cseq.number == invite.cseq.number and cancel.cseq.method == "CANCEL"
    assert [v.text for v in cancel.vias] == [invite.top_via.text]
    assert [r.text for r in cancel.routes] == [r.text for r in invite.routes]
    assert not cancel.has("Require") and not cancel.has("Proxy-Require")
    assert cancel.max_forwards is not None
    again = parse_message(bytes(cancel))  # well formed: passes the parser's validation
    assert bytes(again) == bytes(cancel)
    assert cancel_matches(invite, cancel)


@pytest.mark.parametrize("routes", [
    [],
    ["Route: <sip:p1.example.com;lr>"],
    ["Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>"],
    ["Route: <sip:p1.example.com;lr>", "Route: <sip:p2.example.com;lr>"],
    ["route: <sip:p1.example.com;lr>,<sip:p2.example.com;lr;transport=tcp>", "ROUTE: \"x, y\" <sip:p3;lr>"],
], ids=["no-route", "one-route", "two-routes-one-line", "two-route-lines", "three-routes-odd"])
def test_cancel_copies_route_values(routes: list[str]) -> None:
    invite = invite_with(*routes)
    cancel = cancel_for(invite)
    check_cancel(invite, cancel)
    assert len(cancel.routes) == len(invite.routes)


def test_cancel_for_compact_forms() -> None:
    invite = invite_with(compact=True)
    cancel = cancel_for(invite)
    check_cancel(invite, cancel)


def test_cancel_has_a_single_via_even_when_the_invite_has_several() -> None:
    invite = invite_with(vias=4)
    assert len(invite.vias) == 4
    cancel = cancel_for(invite)
    check_cancel(invite, cancel)
    assert len(cancel.fields("via")) == 1


def test_cancel_of_a_reinvite_keeps_the_to_tag() -> None:
    invite = invite_with(to_tag="a6c85cf")
    cancel = cancel_for(invite)
    check_cancel(invite, cancel)
    assert cancel.to.tag == "a6c85cf"


def test_cancel_leaves_out_require_and_proxy_require() -> None:
    invite = invite_with("Require: 100rel", "Proxy-Require: foo", "Supported: timer")
    check_cancel(invite, cancel_for(invite))


def test_cancel_extra_headers() -> None:
    cancel = cancel_for(invite_with(), extra=[("Reason", 'SIP;cause=480;text="Gone"')])
    assert cancel.header("reason") == 'SIP;cause=480;text="Gone"'


# -- response_to (§8.2.6.2) ---------------------------------------------------------------------------
def check_response(req: Request, resp: Response, status: int) -> None:
    assert resp.status == status
    assert resp.header_values("via") == req.header_values("via")
    assert resp.from_.text == req.from_.text
    assert resp.call_id == req.call_id
    assert (resp.cseq.number, resp.cseq.method) == (req.cseq.number, req.cseq.method)
    assert resp.to.sip_uri.text == req.to.sip_uri.text
    if req.to.tag is not None:
        assert resp.to.text == req.to.text
    assert bytes(parse_message(bytes(resp))) == bytes(resp)


@pytest.mark.parametrize("status", [180, 183, 200, 404, 486, 487, 500, 603])
def test_response_adds_a_to_tag(status: int) -> None:
    invite = invite_with(vias=3)
    resp = response_to(invite, status)
    check_response(invite, resp, status)
    assert resp.to.tag


def test_100_has_no_tag_unless_given() -> None:
    invite = invite_with()
    trying = response_to(invite, 100)
    check_response(invite, trying, 100)
    assert trying.to.tag is None
    assert response_to(invite, 100, to_tag="abc").to.tag == "abc"


def test_100_copies_timestamp() -> None:
    """§8.2.6.1: a Timestamp in the request is copied into the 100 (Trying)."""
    invite = invite_with("Timestamp: 54.3 0.1")
    assert response_to(invite, 100).header("timestamp") == "54.3 0.1"
    assert response_to(invite, 180).header("timestamp") is None


def test_given_to_tag_is_used() -> None:
    resp = response_to(invite_with(), 487, to_tag="mytag")
    assert resp.to.tag == "mytag"
    assert resp.to.text == "Bob <sip:bob@biloxi.example.com>;tag=mytag"


def test_existing_to_tag_is_kept() -> None:
    invite = invite_with(to_tag="dialog1")
    for status in (100, 200, 487):
        resp = response_to(invite, status, to_tag="other")
        check_response(invite, resp, status)
        assert resp.to.tag == "dialog1"


def test_same_request_same_default_tag() -> None:
    invite = invite_with()
    assert response_to(invite, 180).to.tag == response_to(invite, 487).to.tag == default_to_tag(invite)


def test_cancel_200_and_invite_487_share_the_to_tag() -> None:
    """§9.2: "the To tag of the response to the CANCEL and the To tag in the response to the original
    request SHOULD be the same"."""
    invite = invite_with()
    assert response_to(cancel_for(invite), 200).to.tag == response_to(invite, 487).to.tag


def test_other_request_other_default_tag() -> None:
    a = invite_with()
    b = parse_message(bytes(a).replace(b"a84b4c76e66710", b"different-call"))
    assert isinstance(b, Request)
    assert default_to_tag(a) != default_to_tag(b)


def test_response_for_compact_request() -> None:
    invite = invite_with(compact=True, vias=2)
    resp = response_to(invite, 180)
    check_response(invite, resp, 180)
    assert [f.name for f in resp.fields("via")] == ["v"]


def test_response_reason_body_and_extra() -> None:
    resp = response_to(invite_with(), 200, "Fine", extra=[("Contact", "<sip:bob@192.0.2.4>")], body=b"v=0\r\n")
    assert resp.start_line == "SIP/2.0 200 Fine"
    assert resp.header("contact") == "<sip:bob@192.0.2.4>"
    assert resp.content_length == 5 and resp.body == b"v=0\r\n"
    assert response_to(invite_with(), 487).reason == "Request Terminated"
    assert response_to(invite_with(), 299).reason == "Unknown"


# -- ack_for_non2xx (§17.1.1.3) ---------------------------------------------------------------------------
@pytest.mark.parametrize("routes", [[], ["Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>"]])
def test_ack_for_non2xx(routes: list[str]) -> None:
    invite = invite_with(*routes, vias=2)
    resp = response_to(invite, 486, to_tag="busy1")
    ack = ack_for_non2xx(invite, resp)
    assert ack.method == "ACK"
    assert ack.uri == invite.uri
    assert ack.call_id == invite.call_id
    assert ack.from_.text == invite.from_.text
    assert ack.to.text == resp.to.text and ack.to.tag == "busy1"
    assert [v.text for v in ack.vias] == [invite.top_via.text]
    assert (ack.cseq.number, ack.cseq.method) == (invite.cseq.number, "ACK")
    assert [r.text for r in ack.routes] == [r.text for r in invite.routes]
    assert bytes(parse_message(bytes(ack))) == bytes(ack)
    assert matches_transaction(invite, ack)


# -- request -------------------------------------------------------------------------------------------------
def test_request_appends_content_length() -> None:
    req = request("OPTIONS", "sip:x@y", [("Via", VIA_TOP), ("CSeq", "1 OPTIONS")], body=b"abc")
    assert req.start_line == "OPTIONS sip:x@y SIP/2.0"
    assert req.header_values("content-length") == ["3"]
    given = request("OPTIONS", "sip:x@y", [("l", "3")], body=b"abc")
    assert given.header_values("content-length") == ["3"]
    assert bytes(given) == b"OPTIONS sip:x@y SIP/2.0\r\nl: 3\r\n\r\nabc"
