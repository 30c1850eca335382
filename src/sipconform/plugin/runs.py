"""One folder per run: ``reports/<time>-<dut>/``, with ``reports/latest`` pointing at the newest.

A run that names no reports location (no ``--sip-reports``/``sip_reports``, no ``--sip-results``/
``sip_results``) gets a fresh folder under ``reports/``, so nothing of an earlier run is overwritten or
mixed in (junit.xml, matrix.html, allure-results, evidence, pcaps, dut-logs). The controller names the
folder once and hands it to the xdist workers (``workerinput``); ``latest`` moves when the run has
written its results.json (an aborted run too: it is the latest run, and says it was aborted).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

__all__ = ["LATEST", "WORKERINPUT_KEY", "current", "mark_latest", "run_folder"]

LATEST = "latest"
WORKERINPUT_KEY = "sip_run_folder"
_FOLDER_KEY = pytest.StashKey[Path]()


def _dut_label(config: pytest.Config) -> str:
    """The DUT part of the folder name, from ``--sip-dut``/``sip_dut`` as written (a profile's file stem)."""
    raw = str(config.getoption("sip_dut", None) or config.getini("sip_dut") or "reference")
    names = [Path(part.strip()).stem if part.strip().endswith(".toml") else part.strip() for part in raw.split(",")]
    label = re.sub(r"[^A-Za-z0-9._-]+", "_", "+".join(n for n in names if n)).strip("_.") or "dut"
    return label[:60]


def run_folder(config: pytest.Config, base: Path) -> Path:
    """This run's folder under ``base`` (chosen once per run; a worker takes the controller's)."""
    if _FOLDER_KEY in config.stash:
        return config.stash[_FOLDER_KEY]
    given = getattr(config, "workerinput", {}).get(WORKERINPUT_KEY)
    if given:
        folder = Path(given)
    else:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        folder = base / f"{stamp}-{_dut_label(config)}"
        n = 2
        while folder.exists():  # two runs in one second: never share a folder
            folder = base / f"{stamp}-{_dut_label(config)}-{n}"
            n += 1
    config.stash[_FOLDER_KEY] = folder
    return folder


def current(config: pytest.Config) -> Path | None:
    """This run's own folder, when it has one (None: the user named the reports location)."""
    return config.stash.get(_FOLDER_KEY, None)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist (controller): every worker writes into the controller's run folder."""
    folder = node.config.stash.get(_FOLDER_KEY, None)
    if folder is not None:
        node.workerinput[WORKERINPUT_KEY] = str(folder)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """A run that stopped before writing anything (a usage error) leaves no folder: remove this run's folder
    when it holds only empty directories (what allure-pytest creates at configure time)."""
    folder = config.stash.get(_FOLDER_KEY, None)
    if folder is None or hasattr(config, "workerinput") or not folder.is_dir():
        return
    if any(p.is_file() or p.is_symlink() for p in folder.rglob("*")):
        return
    for sub in sorted(folder.rglob("*"), key=lambda p: -len(p.parts)):
        sub.rmdir()
    folder.rmdir()


def mark_latest(folder: Path) -> None:
    """Point ``<base>/latest`` at ``folder`` (a relative symlink, replaced atomically)."""
    link = folder.parent / LATEST
    tmp = folder.parent / f".{LATEST}.{os.getpid()}"
    try:
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(folder.name, target_is_directory=True)
        tmp.replace(link)
    except OSError:  # a file system without symlinks: the folder names still sort by time
        tmp.unlink(missing_ok=True)
