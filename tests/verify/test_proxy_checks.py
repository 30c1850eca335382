"""Checks the proxy modules use (verify/via_branch, cancel_request, reason, server_location, transaction) and
Digest retry (sip/auth): sans-IO, on built
messages."""

from __future__ import annotations

import hashlib

from sipconform.sip import Request, Response, cancel_for, request, response_to
from sipconform.sip.auth import authorized_retry
from sipconform.verify.cancel_request import built_per_9_1
from sipconform.verify.reason import reason_values, sip_causes
from sipconform.verify.server_location import cancel_to_server_reached, one_server_per_transaction
from sipconform.verify.transaction import cancel_not_matched
from sipconform.verify.via_branch import cancels_invite, same_branch

INVITE = request("INVITE", "sip:uas@127.0.0.1:5070", [
    ("Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKproxy1"),
    ("Via", "SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKuac1"),
    ("Max-Forwards", "69"), ("From", "<sip:uac@127.0.0.1>;tag=f1"), ("To", "<sip:uas@127.0.0.1>"),
    ("Call-ID", "c1@127.0.0.1"), ("CSeq", "7 INVITE"), ("Route", "<sip:hop@127.0.0.1;lr>")])


def test_a_cancel_built_per_9_1_has_no_problems() -> None:
    cancel = cancel_for(INVITE)
    assert not built_per_9_1(INVITE, cancel).problems
    assert cancels_invite(INVITE, cancel, at="uas1") == []
    assert same_branch(cancel, INVITE, at="uas1", forwarded=False) == []


def test_a_cancel_with_another_branch_and_method_is_reported() -> None:
    cancel: Request = cancel_for(INVITE).set_header("Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKother")
    cancel = cancel.set_header("CSeq", "7 INVITE")
    problems = built_per_9_1(INVITE, cancel).problems
    assert any("expected 'CANCEL'" in p for p in problems)
    assert any(p.startswith("Via branch") for p in problems)
    assert "does not cancel its INVITE" in cancels_invite(INVITE, cancel, at="uas1")[0]
    assert "differs from its INVITE's" in same_branch(cancel, INVITE, at="uas1", forwarded=False)[0]
    assert "differs from the forwarded INVITE's" in same_branch(cancel, INVITE, at="uas1", forwarded=True)[0]


def test_reason_values_split_and_unquote() -> None:
    values = ['SIP;cause=200;text="Call completed elsewhere", Q.850;CAUSE=16']
    assert [v.compared for v in reason_values(values)] == [
        ("SIP", {"cause": "200", "text": "Call completed elsewhere"}), ("Q.850", {"cause": "16"})]
    assert sip_causes(values) == ["200"]


def test_a_cancel_matched_by_the_proxy_is_its_own_200_and_a_cancel_of_the_branch() -> None:
    cancel = cancel_for(INVITE)
    own_200 = response_to(cancel, 200, to_tag="t1")
    assert cancel_not_matched(own_200, cancel, INVITE, relayed=lambda r: None) == []
    assert "relayed from the branch" in cancel_not_matched(own_200, cancel, INVITE, relayed=lambda r: "uas1")[0]
    assert "not forwarded" in cancel_not_matched(own_200, None, INVITE, relayed=lambda r: None)[0]
    other = cancel.set_header("Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKother")
    assert "not that of the branch's INVITE" in cancel_not_matched(None, other, INVITE, relayed=lambda r: None)[0]


def test_server_location_findings() -> None:
    assert cancel_to_server_reached("t2", "t1", "t2", []) == []
    assert "located the server afresh" in cancel_to_server_reached("t2", "t1", "t1", [])[0]
    assert one_server_per_transaction(1, "t1", [], "t1: INVITE, CANCEL") == []
    assert "sent the CANCEL to t2" in one_server_per_transaction(2, "t1", ["t2"], "", method="CANCEL")[0]


def test_authorized_retry_answers_a_407_with_qop_auth() -> None:
    challenge: Response = response_to(INVITE, 407, to_tag="t1", extra=[
        ("Proxy-Authenticate", 'Digest realm="lab", nonce="n0nce", qop="auth", opaque="op"')])
    retry = authorized_retry(INVITE, challenge, user="alice", password="secret", branch="z9hG4bKretry")
    assert retry.top_via.branch == "z9hG4bKretry" and retry.cseq.number == 8 and retry.call_id == INVITE.call_id
    credentials = retry.header("proxy-authorization") or ""
    cnonce = hashlib.sha1(b"z9hG4bKretry").hexdigest()[:16]  # noqa: S324 - the Digest cnonce sip/auth derives

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - RFC 2617 Digest is MD5
    want = md5(f"{md5('alice:lab:secret')}:n0nce:00000001:{cnonce}:auth:{md5('INVITE:' + INVITE.uri)}")
    assert f'response="{want}"' in credentials and 'opaque="op"' in credentials and "qop=auth" in credentials
