"""Header fields a request built from another one carries over (a CANCEL from the request it cancels,
§9.1; an ACK for a non-2xx from its INVITE, §17.1.1.3): the building blocks of those checklists, for any
role that builds such a request (a UAC, a stateful proxy on its branches).

Each returns what is wrong in words that name the header, the expected and the actual value. ``Findings``
also keeps ``notes``: differences the clause tolerates (an equivalent URI written otherwise), for a softer
verdict than a fail.
"""

from __future__ import annotations

from collections.abc import Iterable

from sipconform.sip import NameAddr, ParseError, Request, Response, Via
from sipconform.sip.uri import uri_equal
from sipconform.verify.messages import same_sent_by, same_via

__all__ = ["Findings", "forbidden_headers", "same_address", "same_routes", "single_top_via"]


class Findings:
    """Problems (the clause is broken) and notes (tolerated differences worth a remark)."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.notes: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.problems)

    def text(self) -> str:
        return "; ".join(self.problems)

    def extend(self, other: Findings, prefix: str = "") -> None:
        """Add ``other``'s problems and notes, each after ``prefix`` (what they are about: a branch, say)."""
        self.problems += [prefix + p for p in other.problems]
        self.notes += [prefix + n for n in other.notes]


def _field(msg: Request | Response, view: str) -> NameAddr | None:
    try:
        return getattr(msg, view)  # type: ignore[no-any-return]
    except ParseError:
        return None


def same_address(what: str, expected: str | None, expected_tag: str | None, actual: Request | Response,
                 view: str, found: Findings) -> None:
    """``actual``'s From/To (``view`` = "from_"/"to") names the same URI as ``expected`` (a header value)
    and carries exactly ``expected_tag``; a textual difference in an equivalent URI is only a note."""
    got = _field(actual, view)
    if got is None or expected is None:
        found.problems.append(f"{what} is missing or malformed in the {_method(actual)}")
        return
    want = NameAddr.parse(expected)
    if not uri_equal(got.uri, want.uri):
        found.problems.append(f"{what} URI {got.uri!r} differs from {want.uri!r}")
    elif got.uri != want.uri:
        found.notes.append(f"{what} URI {got.uri!r} is equivalent to but not written as {want.uri!r}")
    if got.tag != expected_tag:
        found.problems.append(f"{what} tag is {got.tag!r}, expected {expected_tag!r} ({what}: {got.text!r})")


def single_top_via(original: Request, request: Request) -> Findings:
    """Exactly one Via value, matching ``original``'s top Via: sent-protocol, sent-by and branch must be
    equal (a problem); other parameters that differ are a note (§9.1 "matching the top Via value"; §17.1.1.3
    "equal to the top Via header field of the original request")."""
    found = Findings()
    try:
        vias = request.vias
    except ParseError as exc:
        found.problems.append(f"the Via of the {request.method} cannot be parsed: {exc}")
        return found
    top = original.top_via
    if len(vias) != 1:
        found.problems.append(f"the {request.method} has {len(vias)} Via values {[v.text for v in vias]}, "
                              "not exactly one")
    if not vias:
        return found
    via = vias[0]
    if not same_sent_by(top, via):
        found.problems.append(f"Via {via.text!r} does not match the {original.method}'s top Via {top.text!r} "
                              "(sent-protocol or sent-by)")
    if via.branch != top.branch:
        found.problems.append(f"Via branch {via.branch!r} differs from the {original.method}'s {top.branch!r}")
    if not found.problems and not same_via(top, via, top=False):
        found.notes.append(f"Via parameters {_params(via)} differ from the {original.method}'s {_params(top)}")
    return found


def _params(via: Via) -> str:
    return ";".join(k + (f"={v}" if v is not None else "") for k, v in via.params) or "(none)"


def same_routes(original: Request, request: Request) -> list[str]:
    """The Route values of ``original``, in the same order (compared parsed: a header may be split
    into lines differently)."""
    try:
        want, got = [r.uri for r in original.routes], [r.uri for r in request.routes]
    except ParseError as exc:
        return [f"a Route value cannot be parsed: {exc}"]
    if len(want) != len(got) or not all(uri_equal(a, b) for a, b in zip(want, got, strict=False)):
        return [f"Route values {got} differ from the {original.method}'s {want} (same values, same order required)"]
    return []


def forbidden_headers(request: Request, names: Iterable[str]) -> list[str]:
    """Header fields ``request`` must not carry, found in it."""
    return [f"the {request.method} carries {h.name}: {h.value}" for name in names for h in request.fields(name)]


def _method(msg: Request | Response) -> str:
    return msg.method if isinstance(msg, Request) else f"{msg.status} response"
