"""Allure labels, links and attachments for conformance tests (``environment.properties``: ``report.allure``).

Labels come from the clause catalogue: epic "RFC <n>", feature "§<section>", story the clause ID,
severity from the level (MUST critical, SHOULD normal, MAY/INFO minor), tags for role, transport
and DUT; a link to the RFC section, "issue" links to the bug reports the clause guards against, an
``etsi_tp`` label per ETSI TS 102 027-2 test purpose; the RFC sentence as the description. They are pytest
markers (``allure_label``/``allure_link``),
so allure-pytest reads them and its ``--allure-severities``/``--allure-features`` select by them.
"""

from __future__ import annotations

from typing import Any

import allure as _allure_module
import pytest

from sipconform.clauses import CATALOGUE

allure: Any = _allure_module  # allure-pytest ships no type hints for its marker helpers

__all__ = ["SEVERITY", "attach_ladder", "describe_clause", "markers_for"]

SEVERITY = {"MUST": allure.severity_level.CRITICAL, "SHOULD": allure.severity_level.NORMAL,
            "MAY": allure.severity_level.MINOR, "INFO": allure.severity_level.MINOR}


def markers_for(clause_id: str, level: str, *, role: str | None, transport: str | None,
                dut: str | None) -> list[pytest.MarkDecorator]:
    """The Allure markers of one test instance of ``clause_id``."""
    clause = CATALOGUE.get(clause_id)
    marks: list[pytest.MarkDecorator] = [allure.story(clause_id),
                                         allure.severity(SEVERITY.get(level, allure.severity_level.NORMAL))]
    if clause is not None:
        marks += [allure.epic(f"RFC {clause.rfc}"), allure.feature(f"§{clause.section}"),
                  allure.link(clause.url, name=f"RFC {clause.rfc} §{clause.section}")]
        marks += [allure.issue(b.url, name=b.summary) for b in clause.bugs]
        marks += [allure.label("etsi_tp", e.tp) for e in clause.etsi]
    tags = [f"role:{role}" if role else "", f"transport:{transport}" if transport else "",
            f"dut:{dut}" if dut else "", f"level:{level}"]
    marks.append(allure.tag(*[t for t in tags if t]))
    return marks


def describe_clause(clause_id: str) -> None:
    """The open Allure test's description: the RFC sentence the test checks, with its section."""
    clause = CATALOGUE.get(clause_id)
    if clause is not None:
        allure.dynamic.description(f"RFC {clause.rfc} §{clause.where} ({clause.keyword}): {clause.quote}")


def attach_ladder(svg: str) -> None:
    """Attach the ladder SVG to the open Allure test (the plugin attaches the wire trace text)."""
    allure.attach(svg, name="SIP ladder diagram", attachment_type=allure.attachment_type.SVG)
