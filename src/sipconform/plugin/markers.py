"""The plugin's markers: their declarations, what a test's markers say, and their validation."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import pytest

from sipconform import clauses
from sipconform.plugin.requires import problems_of_requires
from sipconform.vocabulary import LEVELS, ROLES, TRANSPORTS

__all__ = ["MARKERS", "ItemMeta", "meta_of", "problems_of"]

# Every marker of the plugin, declared here once (pytest_configure adds them).
MARKERS = (
    "clause(ID, level=None): the checklist clause this conformance test checks, exactly one per test "
    "(IDs: python -m sipconform.clauses). The level (MUST, SHOULD, MAY, INFO) comes from the catalogue; "
    "level= overrides it. A broken expectation is a fail at MUST level, a warn below.",
    "role(*roles): the DUT roles the test applies to (uas, uac, proxy, stateless-proxy); default: the "
    "clause's roles. Tests with no matching DUT in the run are deselected.",
    "transport(*names): run the test only over these transports (udp, tcp, tls, ws, wss); the others are "
    "deselected. requires(transport=...) makes them not-applicable instead.",
    "slow: the test's length is set by long protocol timers (64*T1 and the like).",
    "requires(*capabilities, transport=None, target=None): what the DUT must declare for the test to apply "
    "(transport: a name, a tuple of names, or 'reliable' for TCP, TLS, WS and WSS), "
    "judged at collection from the resolved profile: a [capabilities] flag that is false, or another "
    "transport, makes the test not-applicable naming the profile key; a missing [targets] user makes it "
    "inconclusive.",
    *(f"{lvl.lower()}: tests of a {lvl}-level clause (added from the catalogue; -m {lvl.lower()})" for lvl in LEVELS),
    *(f"{role}: test instances run against a DUT in role {role} (added at collection)" for role in ROLES),
    *(f"{t}: test instances run over {t.upper()} (added at collection)" for t in TRANSPORTS),
)


@dataclass(frozen=True)
class ItemMeta:
    """What a test's markers (and the catalogue) say about it."""

    clause: str | None
    level: str
    roles: tuple[str, ...] | None  # None: any role
    transports: tuple[str, ...] | None  # None: any transport
    conformance: bool  # carries a clause marker (verdicts and results apply)


def _in_conformance_tree(node: pytest.Item | pytest.Collector) -> bool:
    path, root = Path(node.path), Path(node.config.rootpath)
    parts = path.relative_to(root).parts if path.is_relative_to(root) else path.parts
    return "conformance" in parts[:-1]


def meta_of(node: pytest.Item | pytest.Collector) -> ItemMeta:
    """Markers of a test (or of a ``metafunc.definition``); lenient: ``problems_of`` reports mistakes."""
    clause_marks = list(node.iter_markers("clause"))
    clause_id: str | None = None
    level = "MUST"
    roles: tuple[str, ...] | None = None
    if clause_marks and clause_marks[0].args and isinstance(clause_marks[0].args[0], str):
        clause_id = clause_marks[0].args[0]
        clause = clauses.CATALOGUE.get(clause_id)
        if clause is not None:
            level, roles = clause.level, clause.roles or None
        level = str(clause_marks[0].kwargs.get("level", level)).upper()
    role_marks = list(node.iter_markers("role"))
    if role_marks:
        roles = tuple(r for mark in role_marks for r in mark.args)
    transport_marks = list(node.iter_markers("transport"))
    transports = tuple(t for mark in transport_marks for t in mark.args) if transport_marks else None
    return ItemMeta(clause_id, level, roles, transports, bool(clause_marks))


def _unknown_id_message(clause_id: object) -> str:
    hint = difflib.get_close_matches(str(clause_id), list(clauses.CATALOGUE), n=3)
    maybe = f"; did you mean {', '.join(hint)}?" if hint else ""
    return (f"unknown clause ID {clause_id!r}: not in the sipconform catalogue "
            f"(python -m sipconform.clauses lists them){maybe}")


def problems_of(item: pytest.Item) -> list[str]:
    """Marker mistakes of one test, each a sentence; empty when the test is well-formed."""
    out: list[str] = []
    clause_marks = list(item.iter_markers("clause"))
    if not clause_marks and _in_conformance_tree(item):
        out.append('no clause marker: every conformance test checks exactly one clause, '
                   'e.g. pytestmark = pytest.mark.clause("RFC3261-9.2-8")')
    if len(clause_marks) > 1:
        ids = ", ".join(repr(m.args[0]) if m.args else "?" for m in clause_marks)
        out.append(f"{len(clause_marks)} clause markers ({ids}): a conformance test checks exactly one clause")
    for mark in clause_marks[:1]:
        if len(mark.args) != 1 or not isinstance(mark.args[0], str) or set(mark.kwargs) - {"level"}:
            out.append('clause marker takes one clause ID and optionally level=: '
                       'clause("RFC3261-9.2-8", level="SHOULD")')
        elif mark.args[0] not in clauses.CATALOGUE:
            out.append(_unknown_id_message(mark.args[0]))
        level = mark.kwargs.get("level")
        if level is not None and str(level).upper() not in LEVELS:
            out.append(f"clause level {level!r} is not one of {', '.join(LEVELS)}")
    for mark in item.iter_markers("role"):
        if not mark.args or any(r not in ROLES for r in mark.args):
            out.append(f"role marker {mark.args!r}: give one or more of {', '.join(ROLES)}")
    for mark in item.iter_markers("transport"):
        if not mark.args or any(t not in TRANSPORTS for t in mark.args):
            out.append(f"transport marker {mark.args!r}: give one or more of {', '.join(TRANSPORTS)}")
    return out + problems_of_requires(item.iter_markers("requires"))
