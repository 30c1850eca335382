"""Verdicts of a conformance test (DESIGN.md, "Verdicts"), and the typed outcomes a test raises.

A test body passes by returning and fails by failing an ``assert``; everything else is said
by raising one of the outcomes below. ``classify`` turns what a test raised into a
``Verdict``; the pytest plugin maps verdicts to report outcomes. No pytest in here, so
helpers far from pytest (scenarios, verifiers) can raise these too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import NoReturn

from sipconform.vocabulary import LEVELS

__all__ = [
    "LEVELS", "Fail", "Inconclusive", "NotApplicable", "Outcome", "Verdict", "Warn",
    "classify", "describe", "inconclusive", "not_applicable", "precondition", "warn", "worst",
]


class Verdict(str, Enum):
    """The six verdicts of DESIGN.md; the value is the word used in results.json."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    INCONCLUSIVE = "inconclusive"
    NOT_APPLICABLE = "not-applicable"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value


# Most severe first: when a test yields several verdicts (call, then teardown), the worst wins.
_SEVERITY = (Verdict.ERROR, Verdict.FAIL, Verdict.WARN, Verdict.INCONCLUSIVE, Verdict.NOT_APPLICABLE, Verdict.PASS)


def worst(*verdicts: Verdict) -> Verdict:
    """The most severe of ``verdicts`` (error > fail > warn > inconclusive > not-applicable > pass)."""
    return min(verdicts, key=_SEVERITY.index, default=Verdict.PASS)


class Outcome(Exception):
    """Base of the typed outcomes; the message says what the DUT did."""

    verdict: Verdict = Verdict.ERROR


class Warn(Outcome, AssertionError):
    """A SHOULD-level expectation was not met (an ``AssertionError``, so tools that only know
    pass/fail still see a broken expectation rather than a crash)."""

    verdict = Verdict.WARN


class Fail(Outcome, AssertionError):
    """A hard failure whatever the clause level (e.g. a MUST checked inside a SHOULD clause)."""

    verdict = Verdict.FAIL


class Inconclusive(Outcome):
    """The DUT never reached the state the clause is about, so the clause was not exercised."""

    verdict = Verdict.INCONCLUSIVE


class NotApplicable(Outcome):
    """The DUT's profile (role, capabilities, transports) rules the clause out."""

    verdict = Verdict.NOT_APPLICABLE


def warn(msg: str) -> NoReturn:
    """End the test with a ``warn`` verdict (a SHOULD broken)."""
    raise Warn(msg)


def inconclusive(msg: str) -> NoReturn:
    """End the test with an ``inconclusive`` verdict."""
    raise Inconclusive(msg)


def not_applicable(msg: str) -> NoReturn:
    """End the test with a ``not-applicable`` verdict."""
    raise NotApplicable(msg)


@contextmanager
def precondition(description: str) -> Iterator[None]:
    """Steps that set the stage: a failed expectation inside becomes ``Inconclusive``.

    ``with precondition("the DUT rings (1xx) on INVITE"): ...`` turns a ``NoMessage`` or any
    other ``AssertionError`` into ``Inconclusive("precondition not reached: <description>:
    <detail>")``. ``Warn`` and ``Fail`` pass through unchanged: they are verdicts already.
    """
    try:
        yield
    except Outcome:
        raise
    except AssertionError as exc:
        raise Inconclusive(f"precondition not reached: {description}: {describe(exc)}") from exc


def _exception_of(excinfo: object) -> BaseException | None:
    """Accept an exception, a pytest ``ExceptionInfo`` (duck-typed ``.value``) or None."""
    if excinfo is None or isinstance(excinfo, BaseException):
        return excinfo
    value = getattr(excinfo, "value", None)
    return value if isinstance(value, BaseException) else None


def classify(level: str, excinfo: object, strict: bool = False) -> Verdict:
    """The verdict for a test of a clause at ``level`` that raised ``excinfo`` (None: returned).

    - nothing raised: pass
    - ``Warn``: warn; ``Fail``: fail; ``Inconclusive``/``NotApplicable``: themselves
    - any other ``AssertionError`` (``NoMessage`` included): fail at MUST level, warn below it
    - anything else (a bug in the suite, a socket error, an unreachable DUT): error
    With ``strict`` (``--sip-strict``) a warn counts as a fail.
    """
    exc = _exception_of(excinfo)
    if exc is None:
        return Verdict.PASS
    if isinstance(exc, Outcome):
        verdict = exc.verdict
    elif isinstance(exc, AssertionError):
        verdict = Verdict.FAIL if level.upper() == "MUST" else Verdict.WARN
    else:
        return Verdict.ERROR
    if strict and verdict is Verdict.WARN:
        return Verdict.FAIL
    return verdict


def describe(excinfo: object) -> str:
    """A one-paragraph message for an outcome: the exception text, or its type if it has none."""
    exc = _exception_of(excinfo)
    if exc is None:
        return ""
    text = str(exc).strip()
    if type(exc) is AssertionError:
        return _own_words(text) or type(exc).__name__
    if isinstance(exc, Outcome):
        return text or type(exc).__name__
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


def _own_words(text: str) -> str:
    """The message a failed ``assert cond, message`` gave, without the explanation pytest's assertion
    rewriting appends to it (``assert ...`` and ``+ where ...`` lines); a bare assert keeps that explanation."""
    message, explained, _ = text.partition("\nassert ")
    return message.rstrip() if explained and message.strip() else text
