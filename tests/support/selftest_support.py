"""Shared by the self-tests that run the real suite in a subprocess against a device of our own.

On ``sys.path`` through ``pythonpath = ["tests/support"]`` (tests/ is no package; the import mode is
importlib), so a test module can ``from selftest_support import ...``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from sipconform.clauses import markers_in

__all__ = ["ROOT", "SUPPORT", "clause_modules", "inner_run_env", "runs_over"]

ROOT = Path(__file__).resolve().parents[2]
SUPPORT = Path(__file__).resolve().parent

# Inherited from an outer xdist worker or pytest run, these would confuse an inner run.
_DROP_ENV = ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID", "PYTEST_CURRENT_TEST",
             "PYTEST_ADDOPTS", "PYTEST_PLUGINS")


def inner_run_env() -> dict[str, str]:
    """The environment for an inner ``pytest`` (or device) subprocess: ours, less the outer run's pytest
    variables, with ``tests/support`` on ``PYTHONPATH`` (so ``python -m faulty.uas`` works there too)."""
    env = {k: v for k, v in os.environ.items() if k not in _DROP_ENV}
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join([*paths, str(SUPPORT)] if str(SUPPORT) not in paths else paths)
    return env


def clause_modules(directory: Path) -> dict[str, Path]:
    """clause ID -> the module under ``directory`` that checks it (one clause per module, DESIGN.md)."""
    return {clause: directory / files[0] for clause, files in markers_in(directory).items()}


_PYTESTMARK = re.compile(r"^pytestmark\s*=\s*\[(?P<marks>.*?)\]\s*$", re.S | re.M)
_TRANSPORT_MARK = re.compile(r"pytest\.mark\.transport\((?P<names>[^)]*)\)")


def runs_over(module: Path, transport: str) -> bool:
    """Does the module's ``pytestmark`` let it run over ``transport`` (no module-wide transport marker, or
    one naming it)? A static scan, like ``clause_modules``."""
    found = _PYTESTMARK.search(module.read_text(encoding="utf-8"))
    marks = _TRANSPORT_MARK.findall(found["marks"]) if found else []
    return not marks or any(f'"{transport}"' in names or f"'{transport}'" in names for names in marks)
