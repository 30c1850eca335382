"""Every conformance test is shown to pass against a device that keeps its clause and to fail (or warn, for
a SHOULD) against one that breaks it, and to flag nothing else: the project's standard, checked with the
faulty devices of ``tests/support/faulty`` and generated from the one fault table (``faulty.table``).

``test_row``: one inner run per row and transport (see ``mutants.check_row``). ``test_conformant``: the
conformant device passes the role's whole set. ``test_no_crosstalk`` (marker ``crosstalk``): a fault against
the role's whole set flags nothing outside its rows; the full sweep is opt-in (``--crosstalk``, minutes a
fault), a small slice runs by default.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from faulty.table import PASS
from faulty.table_uas import STATELESS_CLAUSES
from mutants import ROLES, Role, check_no_crosstalk, check_row, ran_cleanly, run_inner
from selftest_support import runs_over

ROWS = [pytest.param(role, row, t, id=f"{role.name}:{row.id}-{t}")
        for role in ROLES.values() for row in role.rows for t in row.transports]
CROSSTALK_SLICE = {"uas": ("487-new-to-tag", "cancel-200-no-to-tag"), "proxy": ("cancel-to-tag", "cancel-without-route"),
                   "stateless-proxy": ("sl-answer-cancel",), "uac": ("cancel-to-tag", "ack-no-route")}
"""The faults whose cross-talk runs by default (one or two a role); ``--crosstalk`` runs every fault."""
CROSSTALK = [pytest.param(role, name, id=f"{role.name}:{name}",
                          marks=[] if name in CROSSTALK_SLICE[role.name] else [pytest.mark.crosstalk])
             for role in ROLES.values() for name in dict.fromkeys(r.name for r in role.rows if r.name)]


@pytest.mark.parametrize(("role", "row", "transport"), ROWS)
def test_row(role: Role, row: object, transport: str, tmp_path: Path) -> None:
    check_row(role, row, transport, tmp_path)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "transport"), [("uas", "udp"), ("uas", "tcp"), ("uac", "udp"), ("uac", "tcp"),
                                               ("proxy", None), ("stateless-proxy", None)])
def test_conformant_device_passes_every_clause(name: str, transport: str | None, tmp_path: Path) -> None:
    """The conformant device passes the role's whole set (the proxy: over UDP and TCP in one run, the profile's
    transports; the clauses of ``whole_set_skips`` have rows of their own)."""
    role = ROLES[name]
    clauses = [c for c, m in role.modules.items()
               if c not in role.whole_set_skips and (transport is None or runs_over(m, transport))]
    run = run_inner(role, None, clauses, transport, tmp_path)
    ran_cleanly(run, role, clauses)
    wrong = [r for r in run.results if r["verdict"] != role.conformant.get(r["clause"], PASS)]
    assert not wrong, f"the conformant {name} over {transport or 'all'}:\n{run.describe(wrong)}\n\n{run.diagnostics()}"


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_conformant_stateless_uas_passes_its_clauses(transport: str, tmp_path: Path) -> None:
    role = ROLES["uas"]
    run = run_inner(role, None, list(STATELESS_CLAUSES), transport, tmp_path, {"stateless": True})
    ran_cleanly(run, role, STATELESS_CLAUSES)
    wrong = [r for r in run.results if r["verdict"] != PASS]
    assert not wrong, f"the conformant stateless UAS over {transport}:\n{run.describe(wrong)}\n\n{run.diagnostics()}"


@pytest.mark.parametrize(("role", "name"), CROSSTALK)
def test_no_crosstalk(role: Role, name: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Every transport of the fault's rows with ``--crosstalk``; the default slice takes the first only."""
    transports = list(dict.fromkeys(t for r in role.rows if r.name == name for t in r.transports))
    for transport in transports if request.config.getoption("--crosstalk") else transports[:1]:
        check_no_crosstalk(role, name, transport, tmp_path)


@pytest.mark.parametrize("role", ROLES.values(), ids=list(ROLES))
def test_every_module_has_a_fault_that_breaks_it(role: Role) -> None:
    caught = {r.clause for r in role.rows if r.name is not None and r.verdict in ("fail", "warn")}
    missing = sorted(set(role.modules) - caught)
    assert not missing, f"conformance/{role.directory} modules no fault breaks: {missing}; add a row to the table"


@pytest.mark.parametrize("role", ROLES.values(), ids=list(ROLES))
def test_every_row_names_a_module_and_a_described_fault(role: Role) -> None:
    named = {r.clause for r in role.rows} | {c for r in role.rows if isinstance(r.clean, tuple) for c in r.clean
                                             if c != "*"} | {k.partition("::")[0] for r in role.rows for k in r.also}
    assert named <= set(role.modules), f"no module in conformance/{role.directory} for {named - set(role.modules)}"
    first = {}
    for r in role.rows:
        first.setdefault(r.name, r)
    assert all(row.what for name, row in first.items() if name), "a fault's first row must say what it does"
