"""The one fault table of the faulty devices: each row a fault of one role, the clause it must break and how
that clause's tests must then read, the clauses that must stay clean, the transports it runs over.

``tests/mutation`` is generated from these rows (``mutants.py`` in ``tests/support``): for each row and
transport one inner ``pytest`` run of the clause's module (and the ``clean`` and ``also`` ones) against the
device started with that fault. A device takes its faults (name, clause, what it does) from here too.

A fault may have several rows (it breaks, or is looked at by, several clauses); ``what`` is said once, on
its first row. A row with no fault (``None``) shows the conformant device passes a clause the role's
whole-directory run leaves out, or under device options (``device``) that run does not use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sipconform.sip import Message

M = TypeVar("M", bound=Message)

FAIL, WARN, PASS, INCONCLUSIVE = "fail", "warn", "pass", "inconclusive"
UDP, BOTH, TCP = ("udp",), ("udp", "tcp"), ("tcp",)
ALL = ("*",)
"""``clean=ALL``: every module of the role must stay clean as well."""


@dataclass(frozen=True)
class Edit:
    """A fault that is data only: at the device's seam ``hook`` (the CANCEL, the ACK, the BYE ... it is about to
    send) header field ``name`` is dropped (``drop``), set (``set``), added (``add``), put second (``insert``,
    e.g. a second Via), or the body replaced (``body``: ``name`` the Content-Type, ``value`` the body). ``value``
    is ``str.format``ted with the seam's fields; a field that is None there leaves the message as it is."""

    hook: str
    op: str
    name: str
    value: str = ""

    def apply(self, msg: M, fields: dict[str, Any]) -> M:
        if any(fields.get(k) is None for k in _names(self.value)):
            return msg
        value = self.value.format(**fields)
        if self.op == "drop":
            return msg.remove_header(self.name)
        if self.op == "set":
            return msg.set_header(self.name, value)
        if self.op == "add":
            return msg.append_header(self.name, value)
        if self.op == "insert":
            return msg.insert_header(1, self.name, value)
        if self.op == "body":
            return msg.set_header("Content-Type", self.name).with_body(value.encode())
        raise ValueError(f"unknown edit {self.op!r}")


def _names(template: str) -> Iterable[str]:
    return [part.split("}", 1)[0] for part in template.split("{")[1:]]


def drop(hook: str, name: str) -> Edit:
    return Edit(hook, "drop", name)


def put(hook: str, name: str, value: str, *, op: str = "set") -> Edit:
    return Edit(hook, op, name, value)


@dataclass(frozen=True)
class Fault:
    """One row: ``name`` (None: the conformant device) makes ``clause``'s tests say ``verdict``."""

    name: str | None
    clause: str                     # the clause it breaks: that clause's module is run
    verdict: str                    # what its tests then say: fail (a MUST), warn (a SHOULD); pass for None
    says: str = ""                  # text every such verdict's message contains: it names the problem
    what: str = ""                  # what the device does wrong (on the fault's first row)
    only: tuple[str, ...] = ()      # node id parts of the tests that get ``verdict``; the module's others pass
    clean: tuple[str, ...] = ()     # clauses run alongside that must stay clean (ALL: every module of the role)
    also: dict[str, str] = field(default_factory=dict)  # collateral: "clause[::node id part]" -> verdict
    transports: tuple[str, ...] = UDP
    device: dict[str, Any] = field(default_factory=dict)  # options the device is started with
    edit: Edit | None = None        # a data-only fault: the edit the device makes at a seam (no code)

    @property
    def id(self) -> str:
        return f"{self.name or 'conformant'}-{self.clause}"


F = Fault


class Seams:
    """A device's seams for the data-only faults: ``outgoing(hook, msg, **fields)`` applies the edit of the
    device's fault if it is made at ``hook``, else returns ``msg`` as it is."""

    def __init__(self, rows: list[Fault], fault: str | None) -> None:
        self.edits = [r.edit for r in rows if r.name == fault and fault is not None and r.edit is not None]

    def at(self, hook: str) -> bool:
        """Does the fault edit what the device sends at ``hook``?"""
        return any(edit.hook == hook for edit in self.edits)

    def outgoing(self, hook: str, msg: M, **fields: Any) -> M:
        for edit in self.edits:
            if edit.hook == hook:
                msg = edit.apply(msg, fields)
        return msg


def faults_of(rows: list[Fault]) -> dict[str, tuple[str, str]]:
    """name -> (the clause of its first row, what it does wrong), as a device checks its ``fault`` against."""
    found: dict[str, tuple[str, str]] = {}
    for row in rows:
        if row.name is not None and row.name not in found:
            found[row.name] = (row.clause, row.what)
    return found
