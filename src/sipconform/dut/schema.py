"""The DUT profile's schema check: an unknown key, table or capability is a ``ProfileError`` naming
it and the nearest valid name, in one line (a typo must not load silently as a default)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

__all__ = ["ProfileError", "check_names", "nearest"]


class ProfileError(ValueError):
    """A DUT profile that cannot be used, with the offending key in the message."""


def nearest(name: str, valid: Iterable[str]) -> str | None:
    """The valid name closest to ``name`` (difflib), if any is close enough to be a likely typo."""
    close = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    return close[0] if close else None


def check_names(found: Mapping[str, object], valid: Iterable[str], where: str, what: str, table: str = "",
                tables: Iterable[str] = ()) -> None:
    """Raise ``ProfileError`` for the first name of ``found`` not in ``valid``: ``what`` says what it is
    (``key``, ``capability``...), ``table`` where it sits (``[timers]``; empty: the top level), ``tables``
    which valid names are tables (written ``[name]``)."""
    table_names = set(tables)
    allowed = list(valid)
    for name, value in found.items():
        if name in allowed:
            continue
        kind = "table" if isinstance(value, Mapping) and not table else what
        shown = f"[{name}]" if kind == "table" else repr(name)
        guess = nearest(name, allowed)
        hint = (f"valid: {', '.join(allowed)}" if guess is None
                else f"did you mean {f'[{guess}]' if guess in table_names else repr(guess)}?")
        inside = f" in {table}" if table else ""
        raise ProfileError(f"{where}: unknown {kind} {shown}{inside} ({hint})")
