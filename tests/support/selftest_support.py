"""Shared by the self-tests that run the real suite in a subprocess against a device of our own.

On ``sys.path`` through ``pythonpath = ["tests/support"]`` (tests/ is no package; the import mode is
importlib), so a test module can ``from selftest_support import ...``.
"""

from __future__ import annotations

import importlib.util
import re
import os
import sys
from pathlib import Path
from types import ModuleType

from sipconform.clauses import markers_in

__all__ = ["ROOT", "clause_modules", "inner_run_env", "load_file_module", "load_package"]

ROOT = Path(__file__).resolve().parents[2]

# Inherited from an outer xdist worker or pytest run, these would confuse an inner run.
_DROP_ENV = ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID", "PYTEST_CURRENT_TEST",
             "PYTEST_ADDOPTS", "PYTEST_PLUGINS")


def inner_run_env() -> dict[str, str]:
    """The environment for an inner ``pytest`` subprocess: ours, less the outer run's pytest variables."""
    return {k: v for k, v in os.environ.items() if k not in _DROP_ENV}


def load_file_module(path: Path, name: str) -> ModuleType:
    """The Python file ``path`` as the module ``name`` (loaded once per process)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def load_package(directory: Path, name: str) -> ModuleType:
    """The package in ``directory`` (its ``__init__.py``, relative imports working) as ``name`` (loaded once)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, directory / "__init__.py",
                                                      submodule_search_locations=[str(directory)])
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def clause_modules(directory: Path) -> dict[str, Path]:
    """clause ID -> the module under ``directory`` that checks it (one clause per module, DESIGN.md)."""
    return {clause: directory / files[0] for clause, files in markers_in(directory).items()}


_PYTESTMARK = re.compile(r"^pytestmark\s*=\s*\[(?P<marks>.*?)\]\s*$", re.S | re.M)
_TRANSPORT_MARK = re.compile(r"pytest\.mark\.transport\((?P<names>[^)]*)\)")
_REQUIRED_TRANSPORT = re.compile(r"pytest\.mark\.requires\([^)]*?transport=(?P<names>\([^)]*\)|[\"']\w+[\"'])")
_RELIABLE = '("tcp", "tls", "ws", "wss")'


def collected_over(module: Path, transport: str) -> bool:
    """Is the module collected over ``transport``: no module-wide ``transport`` marker, or one naming it? (A
    ``requires(transport=...)`` module is collected everywhere and is not-applicable where it does not run.)"""
    found = _PYTESTMARK.search(module.read_text(encoding="utf-8"))
    marks = _TRANSPORT_MARK.findall(found["marks"]) if found else []
    return not marks or any(f'"{transport}"' in names or f"'{transport}'" in names for names in marks)


def runs_over(module: Path, transport: str) -> bool:
    """Does the module's ``pytestmark`` let it run over ``transport`` (no module-wide transport marker, or
    one naming it; ``requires(transport=...)`` too, ``"reliable"`` naming TCP, TLS, WS and WSS)? A static
    scan, like ``clause_modules``."""
    found = _PYTESTMARK.search(module.read_text(encoding="utf-8"))
    marks = _TRANSPORT_MARK.findall(found["marks"]) if found else []
    marks += [_RELIABLE if "reliable" in names else names
              for names in (_REQUIRED_TRANSPORT.findall(found["marks"]) if found else [])]
    return not marks or any(f'"{transport}"' in names or f"'{transport}'" in names for names in marks)
