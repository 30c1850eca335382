"""Baseline diff: a conformant vs a faulty device's results name exactly the changed clauses."""

from __future__ import annotations

import json

from sipconform.report import baseline


def test_conformant_vs_faulty_names_exactly_the_changed_clauses(tmp_path, make_results, conformant_and_faulty,
                                                                 capsys):
    good, bad = conformant_and_faulty
    old = make_results(tmp_path / "a", "acme-pbx", good, evidence=False)
    new = make_results(tmp_path / "b", "faulty-pbx", bad, evidence=False)
    out = tmp_path / "diff.json"
    assert baseline.main([str(old), str(new), "-o", str(out)]) == 1  # a regression: non-zero
    printed = capsys.readouterr().out
    changed = sorted((c for c in good if good[c] != bad[c]), key=baseline.clause_order)
    assert "changed clauses: " + ", ".join(changed) in printed
    doc = json.loads(out.read_text())
    assert doc["changed_clauses"] == changed == ["RFC3261-9.2-6", "RFC3261-9.2-8", "RFC3261-9.2-10"]
    assert doc["regressed"] is True and doc["dut_map"] == {"acme-pbx": "faulty-pbx"}
    assert {c["clause"] for c in doc["regressions"]} == {"RFC3261-9.2-10", "RFC3261-9.2-6"}  # pass -> fail
    assert {c["clause"] for c in doc["changed"]} == {"RFC3261-9.2-8"}  # pass -> warn: changed, not regressed
    assert len(doc["regressions"]) == 8  # 2 clauses x 2 transports x 2 variants
    assert doc["unchanged"] == 8 and not doc["added"] and not doc["missing"]


def test_the_other_way_round_is_fixed_and_exits_zero(tmp_path, make_results, conformant_and_faulty):
    good, bad = conformant_and_faulty
    old = make_results(tmp_path / "a", "dev", bad, evidence=False)
    new = make_results(tmp_path / "b", "dev", good, evidence=False)
    diff = baseline.compare(baseline.load(old), baseline.load(new))
    assert not diff.regressed and diff.clauses == ["RFC3261-9.2-6", "RFC3261-9.2-8", "RFC3261-9.2-10"]
    assert {c.clause for c in diff.fixed} == {"RFC3261-9.2-10", "RFC3261-9.2-6"}
    assert baseline.main([str(old), str(new)]) == 0


def test_tests_not_run_now_are_listed_not_passed(tmp_path, make_results):
    old = make_results(tmp_path, "dev", {"RFC3261-9.2-10": "pass", "RFC3261-9.2-8": "pass"}, name="old.json",
                       evidence=False)
    new = make_results(tmp_path, "dev", {"RFC3261-9.2-10": "pass", "RFC3261-9.2-12": "error"}, name="new.json",
                       evidence=False)
    diff = baseline.compare(baseline.load(old), baseline.load(new))
    assert {c.clause for c in diff.missing} == {"RFC3261-9.2-8"} and {c.clause for c in diff.added} == {
        "RFC3261-9.2-12"}
    assert diff.clauses == [] and not diff.regressed
    assert any(line.startswith("NOT RUN RFC3261-9.2-8") for line in baseline.render(diff))


def test_inconclusive_to_error_is_a_regression(tmp_path, make_results):
    old = make_results(tmp_path, "dev", {"RFC3261-9.2-12": "inconclusive"}, name="o.json", evidence=False)
    new = make_results(tmp_path, "dev", {"RFC3261-9.2-12": "error"}, name="n.json", evidence=False)
    assert baseline.compare(baseline.load(old), baseline.load(new)).regressed


def test_bad_file_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / "x.json"
    bad.write_text("{}")
    assert baseline.main([str(bad), str(bad)]) == 2
    assert "not a sipconform results.json" in capsys.readouterr().err
