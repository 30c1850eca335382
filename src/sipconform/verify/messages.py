"""Reusable verifiers: each returns the list of what is wrong (empty when the clause is kept), in words
that name the header, the expected and the actual value, so a verdict explains itself."""

from __future__ import annotations

from sipconform.sip import Request, Response, Via

__all__ = ["response_mirrors_request", "same_sent_by", "same_via"]

# §18.2.1 / RFC 3581: a server adds these to the top Via of a request it receives, so the response
# may carry them on top of what the client sent.
_SERVER_ADDED_VIA_PARAMS = frozenset({"received", "rport"})


def same_sent_by(sent: Via, returned: Via) -> bool:
    """Same sent-protocol and sent-by (host compared case-insensitively): with the branch, what §17.2.3
    matches a request to its transaction on."""
    return (sent.sent_protocol, sent.host.lower(), sent.port) == (returned.sent_protocol, returned.host.lower(),
                                                                  returned.port)


def same_via(sent: Via, returned: Via, *, top: bool) -> bool:
    """Is ``returned`` the Via value ``sent``, allowing the top one the server-added parameters?"""
    if not same_sent_by(sent, returned):
        return False

    def params(via: Via) -> dict[str, str]:
        return {k.lower(): (v or "") for k, v in via.params if not (top and k.lower() in _SERVER_ADDED_VIA_PARAMS)}

    return params(sent) == params(returned) and sent.branch == returned.branch


def response_mirrors_request(request: Request, response: Response) -> list[str]:
    """§8.2.6.2 ¶1: From, Call-ID, CSeq equal to the request's, and the Via values equal, in order."""
    problems = []
    if (response.from_.uri, response.from_.tag) != (request.from_.uri, request.from_.tag):
        problems.append(f"From {response.from_.text!r} differs from the request's {request.from_.text!r}")
    if response.call_id != request.call_id:
        problems.append(f"Call-ID {response.call_id!r} differs from the request's {request.call_id!r}")
    if (response.cseq.number, response.cseq.method) != (request.cseq.number, request.cseq.method):
        problems.append(f"CSeq {response.cseq} differs from the request's {request.cseq}")
    sent, returned = request.vias, response.vias
    if len(sent) != len(returned) or not all(
            same_via(s, r, top=(i == 0)) for i, (s, r) in enumerate(zip(sent, returned, strict=False))):
        problems.append(f"Via values {[v.text for v in returned]} differ from the request's {[v.text for v in sent]}")
    return problems
