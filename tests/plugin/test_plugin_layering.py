"""The pytest wiring lives in one package, ``sipconform.plugin``: below it, ``report/`` holds pure renderers
and ``dut/`` the profiles and launchers, neither importing pytest or the plugin; the vocabulary (roles,
transports, levels) sits under the clause catalogue, not in the profile loader."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sipconform

PACKAGE = Path(sipconform.__file__).resolve().parent


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("folder", ["report", "dut", "sip", "peer"])
def test_below_the_plugin_nothing_imports_pytest_or_the_plugin(folder: str) -> None:
    offenders = {f"{path.name}: {name}" for path in (PACKAGE / folder).glob("*.py") for name in imports_of(path)
                 if name == "pytest" or name.startswith(("_pytest", "sipconform.plugin"))}
    assert not offenders, f"{folder}/ reaches up to the pytest wiring: {sorted(offenders)}"


def test_no_pytest_module_is_left_at_the_package_root() -> None:
    assert not sorted(p.name for p in PACKAGE.glob("pytest_*.py"))
    assert not (PACKAGE / "plugin.py").exists() and not (PACKAGE / "settings.py").exists()


def test_the_vocabulary_is_a_foundation() -> None:
    assert not {n for n in imports_of(PACKAGE / "vocabulary.py") if n.startswith("sipconform")}
    assert "sipconform.dut.profile" not in imports_of(PACKAGE / "clauses.py")
