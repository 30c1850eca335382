"""Transaction matching (§17.2.3) and CANCEL pairing (§9.2), for RFC 3261 and RFC 2543 requests."""

from __future__ import annotations

import pytest

from sipconform.sip import Request, cancel_matches, matches_transaction, parse_message, transaction_key


def req(method: str = "INVITE", *, uri: str = "sip:bob@biloxi.example.com",
        via: str = "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds",
        to: str = "Bob <sip:bob@biloxi.example.com>", from_: str = "Alice <sip:alice@atlanta.example.com>;tag=1928",
        call_id: str = "a84b4c76e66710", cseq: int = 314159, cseq_method: str | None = None,
        extra: tuple[str, ...] = ()) -> Request:
    lines = [f"{method} {uri} SIP/2.0", f"Via: {via}", "Max-Forwards: 70", f"To: {to}", f"From: {from_}",
             f"Call-ID: {call_id}", f"CSeq: {cseq} {cseq_method or method}", *extra, "Content-Length: 0"]
    msg = parse_message(("\r\n".join(lines) + "\r\n\r\n").encode())
    assert isinstance(msg, Request)
    return msg


def raw(data: str) -> Request:
    msg = parse_message(data.replace("\n", "\r\n").encode())
    assert isinstance(msg, Request)
    return msg


INVITE = req()
V2543 = "SIP/2.0/UDP oldphone.example.com:5060"
INVITE_2543 = req(via=V2543, to="sip:bob@biloxi.example.com", from_="sip:alice@atlanta.example.com;tag=old1")


# -- RFC 3261 rules ---------------------------------------------------------------------------------------------
def test_retransmission_matches() -> None:
    assert matches_transaction(INVITE, parse_message(bytes(INVITE)))  # type: ignore[arg-type]


@pytest.mark.parametrize("variant", [
    req(via="SIP/2.0/UDP PC33.Atlanta.Example.COM:5060;branch=z9hG4bK776asdhds"),
    req(via="SIP / 2.0 / UDP pc33.atlanta.example.com : 5060 ;received=192.0.2.1;branch=z9hG4bK776asdhds;rport"),
    req(call_id="other-call-id", cseq=99, to="<sip:x@y>;tag=z"),  # 3261: only branch, sent-by, method count
    # §7.3.1: parameter values (the branch among them) are case-insensitive unless a header says otherwise
    req(via="SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776ASDHDS"),
    raw("INVITE sip:bob@biloxi.example.com SIP/2.0\n"
        "v: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds\n"
        "Max-Forwards: 70\nt: <sip:bob@biloxi.example.com>\nf: <sip:alice@atlanta.example.com>;tag=1928\n"
        "i: a84b4c76e66710\n"
        "cseq: 314159 INVITE\nl: 0\n\n"),
], ids=["host-case", "whitespace-and-params", "other-fields", "branch-case", "compact"])
def test_3261_variants_that_match(variant: Request) -> None:
    assert matches_transaction(INVITE, variant)
    assert transaction_key(INVITE) == transaction_key(variant)


@pytest.mark.parametrize("variant", [
    req(via="SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhdX"),
    req(via="SIP/2.0/UDP pc34.atlanta.example.com:5060;branch=z9hG4bK776asdhds"),
    req(via="SIP/2.0/UDP pc33.atlanta.example.com:5061;branch=z9hG4bK776asdhds"),
    req(via="SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds"),
    req("OPTIONS"),
    req("INVITE", via="SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=776asdhds"),
], ids=["other-branch", "other-host", "other-port", "port-omitted", "other-method", "no-cookie"])
def test_3261_variants_that_do_not_match(variant: Request) -> None:
    assert not matches_transaction(INVITE, variant)


def test_ack_for_non2xx_matches_the_invite_transaction() -> None:
    ack = req("ACK", to="Bob <sip:bob@biloxi.example.com>;tag=resp1")
    assert matches_transaction(INVITE, ack)
    assert transaction_key(ack) == transaction_key(INVITE)


def test_ack_with_other_branch_does_not_match() -> None:
    """The ACK for a 2xx is its own transaction with a new branch (§17.1.1.3, §13.2.2.4)."""
    ack = req("ACK", via="SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bKnew")
    assert not matches_transaction(INVITE, ack)


def test_cancel_is_its_own_transaction_but_cancels_the_invite() -> None:
    cancel = req("CANCEL")
    assert not matches_transaction(INVITE, cancel)
    assert transaction_key(cancel) != transaction_key(INVITE)
    assert transaction_key(cancel, method="INVITE") == transaction_key(INVITE)
    assert cancel_matches(INVITE, cancel)
    assert matches_transaction(cancel, parse_message(bytes(cancel)))  # type: ignore[arg-type]


@pytest.mark.parametrize(("cancel", "matches"), [
    (req("CANCEL"), True),
    (req("CANCEL", via="SIP/2.0/UDP pc33.atlanta.example.com:5060;rport;branch=z9hG4bK776asdhds"), True),
    (req("CANCEL", via="SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bKother"), False),
    (req("CANCEL", via="SIP/2.0/UDP elsewhere.example.com:5060;branch=z9hG4bK776asdhds"), False),
    (req("CANCEL", via="SIP/2.0/UDP pc33.atlanta.example.com:5099;branch=z9hG4bK776asdhds"), False),
    (req("CANCEL", via="SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=776asdhds"), False),
    (req("OPTIONS"), False),
    (req("INVITE"), False),
], ids=["same", "rport-added", "other-branch", "other-host", "other-port", "2543-vs-3261", "not-cancel", "invite"])
def test_cancel_matches_3261(cancel: Request, matches: bool) -> None:
    assert cancel_matches(INVITE, cancel) is matches


def test_nothing_cancels_an_ack_or_a_cancel() -> None:
    assert not cancel_matches(req("ACK"), req("CANCEL"))
    assert not cancel_matches(req("CANCEL"), req("CANCEL"))


def test_cancel_of_a_non_invite() -> None:
    """§9.2: the CANCEL matches any request but ACK and CANCEL; only the UAS behaviour differs."""
    options = req("OPTIONS")
    assert cancel_matches(options, req("CANCEL"))


# -- RFC 2543 rules (no magic cookie) -------------------------------------------------------------------------
def cancel_2543(**changes: object) -> Request:
    fields: dict[str, object] = {"via": V2543, "to": "sip:bob@biloxi.example.com",
                                 "from_": "sip:alice@atlanta.example.com;tag=old1"}
    fields.update(changes)
    return req("CANCEL", **fields)  # type: ignore[arg-type]


def test_2543_retransmission_matches() -> None:
    assert matches_transaction(INVITE_2543, req(via=V2543, to="sip:bob@biloxi.example.com",
                                                from_="sip:alice@atlanta.example.com;tag=old1"))


@pytest.mark.parametrize("cancel", [
    cancel_2543(),
    cancel_2543(uri="sip:bob@BILOXI.example.com"),                    # §19.1.4: host is case-insensitive
    cancel_2543(uri="sip:%62ob@biloxi.example.com"),                  # escaped unreserved == plain
    cancel_2543(via="SIP / 2.0 / udp OLDPHONE.example.com:5060"),
    cancel_2543(to="Bob <sip:bob@biloxi.example.com>", from_='"Al" <sip:alice@atlanta.example.com>;tag=old1'),
    cancel_2543(extra=("X-Unknown: whatever", "Subject: hi")),
    cancel_2543(from_="sip:alice@atlanta.example.com;TAG=OLD1"),      # tags are tokens: no case (§7.3.1)
], ids=["same", "uri-host-case", "uri-escaped", "via-spacing-case", "display-names", "extra-headers", "tag-case"])
def test_2543_cancel_matches(cancel: Request) -> None:
    assert cancel_matches(INVITE_2543, cancel)


@pytest.mark.parametrize("cancel", [
    cancel_2543(uri="sip:carol@biloxi.example.com"),
    cancel_2543(uri="sip:Bob@biloxi.example.com"),                    # user part is case-sensitive
    cancel_2543(uri="sip:bob@biloxi.example.com:5060"),               # explicit default port differs
    cancel_2543(from_="sip:alice@atlanta.example.com;tag=old2"),
    cancel_2543(from_="sip:alice@atlanta.example.com"),
    cancel_2543(to="sip:bob@biloxi.example.com;tag=x"),
    cancel_2543(call_id="other-call"),
    cancel_2543(call_id="A84B4C76E66710"),                            # Call-IDs are case-sensitive (§20.8)
    cancel_2543(cseq=314160),
    cancel_2543(via="SIP/2.0/UDP otherphone.example.com:5060"),
    cancel_2543(via="SIP/2.0/UDP oldphone.example.com:5070"),
    cancel_2543(via="SIP/2.0/TCP oldphone.example.com:5060"),
    cancel_2543(via="SIP/2.0/UDP oldphone.example.com:5060;branch=1"),
    cancel_2543(via="SIP/2.0/UDP oldphone.example.com:5060;branch=z9hG4bK1"),
], ids=["uri-user", "uri-user-case", "uri-port", "from-tag", "no-from-tag", "to-tag", "call-id", "call-id-case",
        "cseq-number", "via-host", "via-port", "via-transport", "via-param", "via-3261"])
def test_2543_cancel_differs_in_one_field(cancel: Request) -> None:
    assert not cancel_matches(INVITE_2543, cancel)


def test_2543_via_parameter_order_does_not_count() -> None:
    invite = req(via=V2543 + ";maddr=192.0.2.1;ttl=1", to="sip:bob@biloxi.example.com",
                 from_="sip:alice@atlanta.example.com;tag=old1")
    cancel = cancel_2543(via=V2543 + ";ttl=1;maddr=192.0.2.1")
    assert cancel_matches(invite, cancel)


def test_2543_ack_matches_without_the_to_tag() -> None:
    """§17.2.3: the 2543 ACK carries the To tag of the server's response; the caller compares it."""
    ack = req("ACK", via=V2543, to="sip:bob@biloxi.example.com;tag=srv", from_="sip:alice@atlanta.example.com;tag=old1")
    assert matches_transaction(INVITE_2543, ack)
    ack_other_call = req("ACK", via=V2543, to="sip:bob@biloxi.example.com;tag=srv", call_id="x",
                         from_="sip:alice@atlanta.example.com;tag=old1")
    assert not matches_transaction(INVITE_2543, ack_other_call)


def test_2543_non_invite_method_must_match() -> None:
    options = req("OPTIONS", via=V2543)
    assert matches_transaction(options, req("OPTIONS", via=V2543))
    assert not matches_transaction(options, req("INFO", via=V2543))
    assert not matches_transaction(INVITE_2543, req("ACK", via=V2543))  # other From tag


def test_2543_and_3261_never_mix() -> None:
    assert not matches_transaction(INVITE_2543, INVITE)
    assert not matches_transaction(INVITE, INVITE_2543)
