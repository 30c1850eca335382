"""A reference DUT's own log as evidence: lines that mean *our configuration* is wrong.

A verdict against a reference DUT speaks for the software only if the DUT ran as its documentation
recommends. Kamailio and baresip say so in their logs when it did not (tm releasing a transaction the
script left pending, memory running out, a module or parameter the config names failing to load);
``scan`` finds those lines. Lines a test provokes on purpose (a refused TCP connection, an unparsable
request) are the peer's doing and are not findings.

The run keeps each reference DUT's log in ``<reports>/dut-logs/`` (``keep_log``, one file per DUT and
xdist worker); at the end the controller scans that folder (``scan_folder``), writes
``dut-logs/findings.txt`` and prints one summary line per finding kind (``summary_lines``).
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FINDINGS_FILE", "LOG_FOLDER", "Finding", "clear_folder", "keep_log", "program_of", "scan",
           "scan_folder", "summary_lines"]

LOG_FOLDER = "dut-logs"
FINDINGS_FILE = "findings.txt"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

# (program, pattern, meaning). Kamailio log lines look like
#   " 1(7488) WARNING: tm [t_lookup.c:1523]: t_unref(): script writer didn't release transaction";
# baresip prints its warnings in red (ANSI escapes stripped before matching).
_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("kamailio", re.compile(r"script writer didn't release transaction"),
     "tm released a transaction the script left without a final reply or t_suspend()"),
    ("kamailio", re.compile(r"no more (?:pkg|shm|share|shared|private) ?mem|not enough (?:free )?(?:pkg|shm|share|"
                            r"shared) ?mem|could not allocate (?:private|shared) memory|out of (?:mem\b|memory)"
                            r"|Server Ran Out of Memory", re.IGNORECASE),
     "memory ran out: size kamailio's -m (shared) / -M (private) for the load"),
    ("kamailio", re.compile(r"parse error in config|bad config file|ERROR: <core> \[core/cfg\.(?:y|lex)"),
     "the configuration file does not parse"),
    ("kamailio", re.compile(r"(?:ERROR|CRITICAL): <core> \[core/(?:sr_module|modparam|ppcfg|route)\.c"),
     "the core rejected a module, parameter or route of the configuration"),
    ("kamailio", re.compile(r"(?:ERROR|CRITICAL): \S+ \[[^\]]*\]: \w*fixup\w*\(\)"),
     "a module rejected a function parameter of the configuration (fixup)"),
    ("kamailio", re.compile(r"failed to suspend|transaction has not been created yet"),
     "tm could not keep a transaction the configuration asked it to keep"),
    ("baresip", re.compile(r"^module \S+: |^dl: mod: "), "a module the configuration names did not load"),
    ("baresip", re.compile(r"^conf: |^config: .*(?:error|invalid|unknown)", re.IGNORECASE),
     "the configuration file has an error"),
    ("baresip", re.compile(r"^ua: (?:init failed|.*account)|^account: ", re.IGNORECASE),
     "the user agent or its account could not be set up"),
    ("baresip", re.compile(r"^Populated 0 (?:account|audio codec)s?$"),
     "no account or no audio codec: the configuration loads none"),
)


@dataclass(frozen=True)
class Finding:
    """One log line that means the DUT's configuration is wrong."""

    dut: str
    log: str  # file name of the log (or "" for text scanned directly)
    line_no: int
    line: str
    meaning: str

    def __str__(self) -> str:
        where = f"{self.log}:{self.line_no}" if self.log else f"line {self.line_no}"
        return f"{self.dut}: {self.meaning} ({where}: {self.line})"


def program_of(text: str) -> str | None:
    """Which program wrote this log: baresip (its banner) or kamailio (its ``<core>`` lines)."""
    if re.search(r"^baresip v\d", text, re.MULTILINE):
        return "baresip"
    return "kamailio" if "<core>" in text else None


def scan(dut: str, text: str, *, log: str = "") -> list[Finding]:
    """The configuration findings in ``text``, the log of reference DUT ``dut`` (the rules of its program)."""
    rules = [(pattern, meaning) for program, pattern, meaning in _RULES if program == program_of(text)]
    found: list[Finding] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = _ANSI.sub("", raw).strip()
        for pattern, meaning in rules:
            if pattern.search(line):
                found.append(Finding(dut, log, n, line[:300], meaning))
                break
    return found


def keep_log(dut: str, log_path: Path, reports: Path, worker: str = "main") -> Path | None:
    """Copy the log of reference DUT ``dut`` to ``reports/dut-logs/<dut>.<worker>.log``; None if absent."""
    if not log_path.is_file():
        return None
    folder = reports / LOG_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{dut}.{worker}.log"
    shutil.copyfile(log_path, target)
    return target


def clear_folder(reports: Path) -> None:
    """Remove the DUT logs of an earlier run (the controller, before the workers start)."""
    shutil.rmtree(reports / LOG_FOLDER, ignore_errors=True)


def scan_folder(reports: Path) -> tuple[list[Path], list[Finding]]:
    """The kept logs in ``reports/dut-logs`` and their findings; writes ``findings.txt`` there."""
    folder = reports / LOG_FOLDER
    logs = sorted(folder.glob("*.log")) if folder.is_dir() else []
    found = [f for p in logs for f in scan(p.name.split(".", 1)[0], p.read_text("utf-8", "replace"), log=p.name)]
    if logs:
        text = "\n".join(map(str, found)) if found else "no configuration warning in " + ", ".join(p.name for p in logs)
        (folder / FINDINGS_FILE).write_text(text + "\n", encoding="utf-8")
    return logs, found


def summary_lines(logs: Iterable[Path], found: Iterable[Finding], folder: Path) -> list[str]:
    """Terminal summary: one line for a clean run, else one per (DUT, meaning) with its count."""
    logs, found = list(logs), list(found)
    if not logs:
        return []
    if not found:
        return [f"reference DUT logs: no configuration warning ({len(logs)} log(s) in {folder})"]
    counts = Counter((f.dut, f.meaning) for f in found)
    lines = [f"reference DUT logs: CONFIGURATION WARNING {dut}: {meaning} ({n} line(s))"
             for (dut, meaning), n in counts.items()]
    return [*lines, f"reference DUT logs: see {folder / FINDINGS_FILE}"]
