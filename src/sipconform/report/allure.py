"""``environment.properties`` for an Allure results directory: per DUT its role, address, transports,
timers and capabilities (Java .properties text; the Allure labels and attachments are the plugin's,
``sipconform.plugin.allure_marks``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

__all__ = ["environment_lines", "write_environment"]


def _escape(text: str, key: bool = False) -> str:
    """Java .properties escaping (what Allure reads)."""
    out = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "")
    if key:
        out = out.replace(" ", "\\ ").replace("=", "\\=").replace(":", "\\:")
    return out


def environment_lines(duts: Sequence[Mapping[str, Any]], profiles: Mapping[str, Any], extra: Mapping[str, str]
                      ) -> list[str]:
    """``key=value`` lines: per DUT its role, address, transports, timers and capabilities
    (``duts``: results.json "duts" entries; ``profiles``: name -> ``DutProfile``)."""
    pairs: list[tuple[str, str]] = list(extra.items())
    for d in duts:
        name = str(d.get("name"))
        prefix = f"DUT.{name}"
        pairs.append((f"{prefix}.role", str(d.get("role"))))
        if d.get("host"):
            pairs.append((f"{prefix}.address", f"{d.get('host')}:{d.get('port')}"))
        p = profiles.get(name)
        if p is None:
            continue
        pairs.append((f"{prefix}.transports", ",".join(getattr(p, "transports", ()))))
        t = p.timers
        pairs.append((f"{prefix}.timers", f"T1={t.t1:g}s T2={t.t2:g}s T4={t.t4:g}s"))
        for cap, value in sorted(asdict(p.capabilities).items()):
            if value is None:
                continue
            pairs.append((f"{prefix}.capability.{cap}", str(value)))
        if p.known_deviations:
            pairs.append((f"{prefix}.known_deviations", "; ".join(p.known_deviations)))
        if p.source:
            pairs.append((f"{prefix}.profile", str(p.source)))
    return [f"{_escape(k, key=True)}={_escape(v)}" for k, v in pairs]


def write_environment(alluredir: Path, lines: Iterable[str]) -> Path:
    """Write ``environment.properties`` into the Allure results directory."""
    alluredir.mkdir(parents=True, exist_ok=True)
    path = alluredir / "environment.properties"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
