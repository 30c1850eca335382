"""The §17.1.1.3 checklist of the ACK a client transaction builds for a non-2xx final response, one
function per clause, for any role that sends one (a UAC, a stateful proxy on its branches). ``invite`` is
the original request (as passed to the transport), ``final`` the response acknowledged, ``ack`` the ACK;
each returns what is wrong (empty when the clause is kept)."""

from __future__ import annotations

from sipconform.sip import Request, Response
from sipconform.sip.uri import uri_equal
from sipconform.verify.fields import Findings, same_address, same_routes, single_top_via

__all__ = ["body_type", "carries_the_routes", "copies_the_invite", "matches_the_invite_transaction",
           "to_of_the_response", "via_and_cseq"]


def copies_the_invite(invite: Request, ack: Request) -> Findings:
    """RFC3261-17.1.1.3-1: Call-ID, From (with its tag) and Request-URI equal to the original request's."""
    found = Findings()
    if ack.call_id != invite.call_id:
        found.problems.append(f"Call-ID {ack.call_id!r} differs from the INVITE's {invite.call_id!r}")
    same_address("From", invite.header("from"), invite.from_.tag, ack, "from_", found)
    if not uri_equal(ack.uri, invite.uri):
        found.problems.append(f"Request-URI {ack.uri!r} differs from the INVITE's {invite.uri!r}")
    return found


def to_of_the_response(final: Response, ack: Request) -> Findings:
    """RFC3261-17.1.1.3-2: "The To header field in the ACK MUST equal the To header field in the response
    being acknowledged" (its tag included)."""
    found = Findings()
    same_address("To", final.header("to"), final.to.tag, ack, "to", found)
    return found


def via_and_cseq(invite: Request, ack: Request) -> Findings:
    """RFC3261-17.1.1.3-3: a single Via, equal to the original request's top Via (other parameters that
    differ are a note), and CSeq "<the original request's number> ACK"."""
    found = single_top_via(invite, ack)
    if (ack.cseq.number, ack.cseq.method) != (invite.cseq.number, "ACK"):
        found.problems.append(f"CSeq {ack.header('cseq')!r}, expected '{invite.cseq.number} ACK'")
    return found


def carries_the_routes(invite: Request, ack: Request) -> list[str]:
    """RFC3261-17.1.1.3-4: the ACK carries the original request's Route values, in order."""
    return same_routes(invite, ack)


def body_type(invite: Request, ack: Request) -> Findings:
    """RFC3261-17.1.1.3-5: a body in the ACK is NOT RECOMMENDED (a note), and if there is one its type must be
    one the INVITE carried (a problem)."""
    found = Findings()
    if not ack.body:
        return found
    ack_type, invite_type = _type(ack.header("content-type")), _type(invite.header("content-type"))
    if ack_type != invite_type:
        found.problems.append(f"the ACK carries a {ack_type or 'untyped'} body; the INVITE carried "
                              f"{invite_type or 'none'}")
    found.notes.append(f"the ACK carries a body ({len(ack.body)} bytes of {ack_type}): NOT RECOMMENDED")
    return found


def matches_the_invite_transaction(invite: Request, ack: Request) -> list[str]:
    """What keeps ``ack`` from matching ``invite``'s server transaction (§17.2.3: the top Via's branch and
    sent-by), the way a server tells the ACK of its non-2xx; part of RFC3261-17.1.1.3-3's checklist."""
    want, got = invite.top_via, ack.top_via
    if (got.branch, got.host.lower(), got.port) == (want.branch, want.host.lower(), want.port):
        return []
    return [f"the ACK's top Via {got.text!r} does not carry the INVITE's branch and sent-by ({want.text!r})"]


def _type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()
