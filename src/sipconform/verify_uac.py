"""Verifiers for what a UAC builds from its INVITE: the CANCEL (§9.1) and the ACK for a non-2xx final
(§17.1.1.3). Each returns the list of what is wrong (empty when the clause is kept), naming the header,
the expected and the actual value. ``notes`` lists differences the clause tolerates (e.g. a URI that is
equivalent but not written the same), for a softer verdict."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from sipconform.sip import NameAddr, ParseError, Request, Response, Via
from sipconform.sip.grammar import is_token
from sipconform.sip.timers import Timers
from sipconform.sip.uri import split_outside_quotes, uri_equal
from sipconform.verify.messages import same_via

__all__ = ["Findings", "forbidden_headers", "interval_problems", "reason_problems", "same_address", "same_routes",
           "same_top_via", "timer_e_intervals"]


class Findings:
    """Problems (the clause is broken) and notes (tolerated differences worth a remark)."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.notes: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.problems)

    def text(self) -> str:
        return "; ".join(self.problems)


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


def same_top_via(original: Request, request: Request, found: Findings) -> None:
    """Exactly one Via value, equal to ``original``'s top Via: sent-protocol, sent-by and branch must
    match (a problem); other parameters that differ are a note (§9.1: "matching the top Via value")."""
    try:
        vias = request.vias
    except ParseError as exc:
        found.problems.append(f"the Via of the {request.method} cannot be parsed: {exc}")
        return
    top = original.top_via
    if len(vias) != 1:
        found.problems.append(f"the {request.method} has {len(vias)} Via values {[v.text for v in vias]}, "
                              "not exactly one")
    if not vias:
        return
    via = vias[0]
    if (via.sent_protocol, via.host.lower(), via.port) != (top.sent_protocol, top.host.lower(), top.port):
        found.problems.append(f"Via {via.text!r} does not match the INVITE's top Via {top.text!r} "
                              "(sent-protocol or sent-by)")
    if via.branch != top.branch:
        found.problems.append(f"Via branch {via.branch!r} differs from the INVITE's {top.branch!r}")
    if not found.problems and not same_via(top, via, top=False):
        found.notes.append(f"Via parameters {_params(via)} differ from the INVITE's {_params(top)}")


def _params(via: Via) -> str:
    return ";".join(k + (f"={v}" if v is not None else "") for k, v in via.params) or "(none)"


def same_routes(original: Request, request: Request) -> list[str]:
    """The Route values of ``original``, in the same order (compared parsed: a header may be split
    into lines differently)."""
    try:
        want, got = [r.uri for r in original.routes], [r.uri for r in request.routes]
    except ParseError as exc:
        return [f"a Route value cannot be parsed: {exc}"]
    if len(want) != len(got) or not all(uri_equal(a, b) for a, b in zip(want, got)):
        return [f"Route values {got} differ from the INVITE's {want} (same values, same order required)"]
    return []


def forbidden_headers(request: Request, names: Iterable[str]) -> list[str]:
    """Header fields ``request`` must not carry, found in it."""
    return [f"the {request.method} carries {h.name}: {h.value}" for name in names for h in request.fields(name)]


# RFC 3326 §2: reason-value = protocol *(SEMI reason-params); protocol = "SIP" / "Q.850" / token;
# reason-params = protocol-cause / reason-text / reason-extension; protocol-cause = "cause" EQUAL
# cause; cause = 1*DIGIT; reason-text = "text" EQUAL quoted-string.
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


def reason_problems(values: list[str]) -> list[str]:
    """Reason values (RFC 3326 §2): each well formed, and no two with the same protocol."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for value in values:
        protocol, *params = [p.strip() for p in split_outside_quotes(value, ";")]
        if not is_token(protocol):
            problems.append(f"Reason {value!r}: protocol {protocol!r} is not a token")
            continue
        for param in params:
            name, _, arg = param.partition("=")
            name, arg = name.strip().lower(), arg.strip()
            if name == "cause" and not arg.isdigit():
                problems.append(f"Reason {value!r}: cause={arg!r} is not 1*DIGIT")
            elif name == "text" and _QUOTED.fullmatch(arg) is None:
                problems.append(f"Reason {value!r}: text={arg!r} is not a quoted-string")
        key = protocol.upper()
        if key in seen:
            problems.append(f"two Reason values with protocol {protocol!r}: {seen[key]!r} and {value!r}")
        seen.setdefault(key, value)
    return problems


def timer_e_intervals(t1: float, t2: float, count: int) -> list[float]:
    """§17.1.2.2: the first ``count`` gaps between transmissions of a non-INVITE request over UDP."""
    return Timers(t1, t2).non_invite_intervals(count)


# How far a measured gap may stray from the timer's value: a factor (clock and scheduling of both ends)
# and an absolute allowance of T1/4 (a loaded host delays a datagram by some milliseconds).
_RATIO = 1.6


def interval_problems(times: Sequence[float], expected: Sequence[float], t1: float, what: str) -> list[str]:
    """Each gap between consecutive ``times`` against the ``expected`` gap of the same index (within a
    factor of 1.6, plus T1/4); ``what`` names the timer in the message."""
    slack = t1 / 4
    problems = []
    for k, (gap, want) in enumerate(zip((b - a for a, b in zip(times, times[1:])), expected)):
        if not want / _RATIO - slack <= gap <= want * _RATIO + slack:
            problems.append(f"transmission {k + 2} came {gap:.3f} s after the previous one; {what} calls for "
                            f"{want:.3g} s")
    return problems


def _method(msg: Request | Response) -> str:
    return msg.method if isinstance(msg, Request) else f"{msg.status} response"
