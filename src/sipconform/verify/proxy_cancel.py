"""Checks of the CANCEL a proxy sends down a branch (RFC 3261 §9.1, §16.10) against the INVITE it sent there.

Each check takes the DUT's INVITE on the branch and its CANCEL there, and returns the problems it found
(empty when the clause is kept), naming the header, what §9.1 expects and what came.
"""

from __future__ import annotations

from sipconform.sip import Request, Via
from sipconform.sip.uri import uri_equal

__all__ = ["cancel_problems", "cancels_invite", "same_via_value"]


def same_via_value(got: Via, want: Via) -> bool:
    """Same sent-protocol, sent-by and branch (§9.1 "matching the top Via value"; §17.2.3 matches on them)."""
    return ((got.sent_protocol, got.host.lower(), got.port, (got.branch or "").lower())
            == (want.sent_protocol, want.host.lower(), want.port, (want.branch or "").lower()))


def cancel_problems(invite: Request, cancel: Request) -> list[str]:
    """§9.1 as a whole (RFC3261-16.10-3 builds its CANCEL "as described in Section 9.1"): what in ``cancel``
    breaks §9.1 against the ``invite`` it cancels (empty when built right)."""
    problems = []
    if not uri_equal(cancel.uri, invite.uri):
        problems.append(f"Request-URI {cancel.uri!r} is not the INVITE's {invite.uri!r}")
    if cancel.call_id != invite.call_id:
        problems.append(f"Call-ID {cancel.call_id!r} is not the INVITE's {invite.call_id!r}")
    for name, got, want in (("From", cancel.from_, invite.from_), ("To", cancel.to, invite.to)):
        if not uri_equal(got.uri, want.uri) or got.tag != want.tag:
            problems.append(f"{name} {got.text!r} is not the INVITE's {want.text!r} (tags included)")
    if cancel.cseq.number != invite.cseq.number or cancel.cseq.method != "CANCEL":
        problems.append(f"CSeq {cancel.cseq} is not '{invite.cseq.number} CANCEL'")
    if len(cancel.vias) != 1 or not same_via_value(cancel.vias[0], invite.top_via):
        problems.append(f"Via {[v.text for v in cancel.vias]} is not the single top Via of the INVITE "
                        f"{invite.top_via.text!r}")
    if [r.uri for r in cancel.routes] != [r.uri for r in invite.routes]:
        problems.append(f"Route {[r.text for r in cancel.routes]} differs from the INVITE's "
                        f"{[r.text for r in invite.routes]}")
    if cancel.has("require") or cancel.has("proxy-require"):
        problems.append("it carries Require or Proxy-Require")
    return problems


def cancels_invite(invite: Request, cancel: Request, *, at: str) -> list[str]:
    """§16.10 / §16.7 step 10: ``cancel`` cancels the ``invite`` the DUT sent to the branch ``at``: its top Via
    branch is the INVITE's (what §9.2 and §17.2.3 match it by). How the rest is built is §9.1's (9.1-2 to 9.1-6)."""
    if cancel.top_via.branch == invite.top_via.branch:
        return []
    return [(f"{at} got a CANCEL with branch {cancel.top_via.branch!r}, which does not cancel its INVITE "
             f"(branch {invite.top_via.branch!r})")]
