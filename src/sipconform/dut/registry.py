"""The one registry of reference DUTs: the profiles with a ``[reference]`` table, in the package's
``fixtures/duts`` and in the project's own ``fixtures/duts`` (a profile there can add or override one)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sipconform.dut.profile import DutProfile, ProfileError, load_profile
from sipconform.dut.reference import FIXTURES

__all__ = ["reference_duts", "reference_profile"]


def reference_duts(extra_dirs: Sequence[Path] = ()) -> tuple[dict[str, DutProfile], dict[str, str]]:
    """Reference DUTs by name, each loaded once; and the broken profiles by file stem -> their error (left
    out, so one broken file does not stop runs that do not select it)."""
    dirs = [*extra_dirs, FIXTURES / "duts"]
    found: dict[str, DutProfile] = {}
    problems: dict[str, str] = {}
    seen: set[Path] = set()
    for path in (p for d in dirs if d.is_dir() for p in sorted(d.glob("*.toml"))):
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        try:
            profile = load_profile(path)
        except ProfileError as exc:
            problems.setdefault(path.stem, str(exc))
            continue
        if profile.reference is not None:  # else: a profile of an external device
            found.setdefault(profile.name, profile)
    return found, problems


def reference_profile(name: str) -> DutProfile:
    """The profile of reference DUT ``name`` (``ProfileError`` naming the known ones if there is none)."""
    refs, problems = reference_duts()
    if name in refs:
        return refs[name]
    if name in problems:
        raise ProfileError(problems[name])
    raise ProfileError(f"unknown reference DUT {name!r}; known: {', '.join(refs)}")
