"""JUnit that tells the six verdicts apart, valid under pytest's default ``xunit2`` schema.

pytest writes junit.xml from its outcomes (pass, failed, skipped), so a warn is a plain pass and
inconclusive and not-applicable are two skips. At the end of a run this rewrites each test case from
results.json, within what the schema allows a ``<testcase>`` (``skipped``, ``failure``, ``error``,
``system-out``, ``system-err``; no ``properties`` under xunit2):

- fail / error: ``<failure>`` (``<error>`` for a setup error) with ``type="sipconform.fail"`` /
  ``"sipconform.error"``, the verdict message as ``message``, and as body the message and the wire trace;
- inconclusive / not-applicable: ``<skipped type="sipconform.inconclusive">`` / ``"sipconform.not-applicable"``;
- every verdict, warn and pass included: a ``<system-out>`` whose first line is ``verdict: <verdict>``,
  then one ``name: value`` line per property the test recorded (clause, level, section, requirement,
  rfc_url, bug_pattern, dut, transport, verdict_message, evidence paths);
- the counts per verdict as ``<properties>`` of the ``<testsuite>`` (allowed there).
Under ``junit_family = xunit1``/``legacy`` the per-test properties pytest wrote are kept.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["VERDICT_TYPES", "case_key", "rewrite"]

VERDICT_TYPES = {v: f"sipconform.{v}" for v in ("pass", "fail", "warn", "inconclusive", "not-applicable", "error")}
_ILLEGAL = re.compile("[^\u0009\u000a\u000d\u0020-\u007e\u0080-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def case_key(nodeid: str, prefix: str | None = None) -> tuple[str, str]:
    """(classname, name) of the ``<testcase>`` pytest writes for ``nodeid`` (as ``mangle_test_address``)."""
    path, bracket, params = nodeid.partition("[")
    names = path.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    names[-1] += bracket + params
    classname = ".".join(names[:-1])
    return (f"{prefix}.{classname}" if prefix else classname), names[-1]


def _clean(text: str) -> str:
    return _ILLEGAL.sub(lambda m: f"#x{ord(m.group()):02X}", text)


def _trace(result: Mapping[str, Any], base: Path) -> str:
    rel: str | None = (result.get("evidence") or {}).get("trace")
    if not rel:
        return ""
    try:
        return (base / rel).read_text(encoding="utf-8").rstrip()
    except OSError:
        return ""


def _describe(result: Mapping[str, Any], props: Mapping[str, str]) -> str:
    """``verdict: X`` first, then one ``name: value`` line per property the test recorded (clause, level,
    section, requirement, rfc_url, dut, transport, evidence, ...), else the result's own fields."""
    fields = dict(props) or {k: str(result[k]) for k in ("clause", "level", "dut", "transport") if result.get(k)}
    fields.pop("verdict", None)
    fields.setdefault("verdict_message", str(result.get("message") or ""))
    lines = [f"verdict: {result['verdict']}", *(f"{k}: {' '.join(v.split())}" for k, v in fields.items() if v)]
    return "\n".join(lines)


def _rewrite_case(case: ET.Element, result: Mapping[str, Any], base: Path, keep_properties: bool) -> None:
    verdict = str(result["verdict"])
    props = {str(p.get("name")): str(p.get("value")) for p in case.iter("property")}
    if not keep_properties:
        for node in case.findall("properties"):
            case.remove(node)
    head = f"{result.get('clause')} {result.get('level')}: {result.get('message') or verdict}".splitlines()[0]
    for node in case:
        if node.tag in ("failure", "error") and verdict in ("fail", "error"):
            node.set("type", VERDICT_TYPES[verdict])
            node.set("message", _clean(head))
            trace = _trace(result, base)
            node.text = _clean(f"{result.get('message') or verdict}\n\n{trace}".rstrip() + "\n")
        elif node.tag == "skipped" and verdict in ("inconclusive", "not-applicable"):
            node.set("type", VERDICT_TYPES[verdict])
            node.set("message", _clean(head))
    out = case.find("system-out")
    text = _clean(_describe(result, props))
    if out is None:
        out = ET.SubElement(case, "system-out")
        out.text = text
    else:
        out.text = f"{text}\n\n{out.text or ''}"


def rewrite(path: Path, results: Iterable[Mapping[str, Any]], *, base: Path, family: str = "xunit2",
            prefix: str | None = None) -> int:
    """Rewrite junit.xml at ``path`` from the results (evidence paths relative to ``base``); the number of
    test cases given a verdict."""
    tree = ET.parse(path)
    by_case = {case_key(str(r["nodeid"]), prefix): r for r in results}
    keep = family in ("xunit1", "legacy")
    done = 0
    counts: Counter[str] = Counter()
    for suite in tree.getroot().iter("testsuite"):
        for case in suite.findall("testcase"):
            result = by_case.get((case.get("classname", ""), case.get("name", "")))
            if result is None:
                continue
            _rewrite_case(case, result, base, keep)
            counts[str(result["verdict"])] += 1
            done += 1
        props = suite.find("properties")
        if props is None:
            props = ET.Element("properties")
            suite.insert(0, props)
        for verdict in VERDICT_TYPES:
            ET.SubElement(props, "property", name=f"sipconform.{verdict}", value=str(counts.get(verdict, 0)))
        counts.clear()
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return done
