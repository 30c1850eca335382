"""The §9.1 checklist of a CANCEL against the request it cancels, one function per clause, for any role
that builds a CANCEL (a UAC; a stateful proxy cancelling its branches, against the request it sent on
that branch). ``request`` is the request being cancelled, ``cancel`` the CANCEL; each returns what is
wrong (empty when the clause is kept)."""

from __future__ import annotations

from sipconform.sip import Request
from sipconform.sip.uri import uri_equal
from sipconform.verify.fields import (
    Findings,
    forbidden_headers,
    same_address,
    same_routes,
    single_top_via,
)

__all__ = ["built_per_9_1", "carries_the_routes", "copies_the_request", "cseq_method_is_cancel", "no_require",
           "single_via"]


def copies_the_request(request: Request, cancel: Request) -> Findings:
    """RFC3261-9.1-2: "The Request-URI, Call-ID, To, the numeric part of CSeq, and From header fields in the
    CANCEL request MUST be identical to those in the request being cancelled, including tags." An
    equivalent Request-URI or From/To URI written otherwise is a note. The CSeq method is RFC3261-9.1-4's."""
    found = Findings()
    if not uri_equal(cancel.uri, request.uri):
        found.problems.append(f"Request-URI {cancel.uri!r} differs from the {request.method}'s {request.uri!r}")
    elif cancel.uri != request.uri:
        found.notes.append(f"Request-URI {cancel.uri!r} is not written as the {request.method}'s {request.uri!r}")
    if cancel.call_id != request.call_id:
        found.problems.append(f"Call-ID {cancel.call_id!r} differs from the {request.method}'s {request.call_id!r}")
    same_address("From", request.header("from"), request.from_.tag, cancel, "from_", found)
    same_address("To", request.header("to"), request.to.tag, cancel, "to", found)
    if cancel.cseq.number != request.cseq.number:
        found.problems.append(f"CSeq number {cancel.cseq.number} differs from the {request.method}'s "
                              f"{request.cseq.number}")
    return found


def single_via(request: Request, cancel: Request) -> Findings:
    """RFC3261-9.1-3: "A CANCEL constructed by a client MUST have only a single Via header field value
    matching the top Via value in the request being cancelled" (sent-protocol, sent-by and branch; other
    parameters that differ are a note)."""
    return single_top_via(request, cancel)


def cseq_method_is_cancel(cancel: Request) -> list[str]:
    """RFC3261-9.1-4: "the method part of the CSeq header field MUST have a value of CANCEL" (methods are
    case-sensitive, §7.1). The number is RFC3261-9.1-2's."""
    if cancel.cseq.method == "CANCEL":
        return []
    return [f"the CSeq method is {cancel.cseq.method!r} (CSeq {cancel.header('cseq')!r}), expected 'CANCEL'"]


def carries_the_routes(request: Request, cancel: Request) -> list[str]:
    """RFC3261-9.1-5: the CANCEL includes the Route values of the request being cancelled, in order."""
    return same_routes(request, cancel)


def no_require(cancel: Request) -> list[str]:
    """RFC3261-9.1-6: "The CANCEL request MUST NOT contain any Require or Proxy-Require header fields." """
    return forbidden_headers(cancel, ("require", "proxy-require"))


def built_per_9_1(request: Request, cancel: Request) -> Findings:
    """RFC3261-16.10-3: a CANCEL a proxy generates of its own accord is built "as described in Section 9.1":
    the checklist above as a whole (9.1-2 to 9.1-6)."""
    found = copies_the_request(request, cancel)
    via = single_via(request, cancel)
    found.problems += [*via.problems, *cseq_method_is_cancel(cancel), *carries_the_routes(request, cancel),
                       *no_require(cancel)]
    found.notes += via.notes
    return found
