"""Unique branch, tag and Call-ID values (§8.1.1.7, §19.3), safe across xdist workers and tests.

Each value is ``prefix`` (e.g. derived from the test run id and node id) + a random part drawn once
per ``IdSource`` + a counter, so two workers, two tests or two peers never collide.
"""

from __future__ import annotations

import itertools
import re
import secrets

from sipconform.sip.grammar import BRANCH_MAGIC_COOKIE

__all__ = ["IdSource", "token"]

_NOT_TOKEN = re.compile(r"[^A-Za-z0-9\-.!%*_+`'~]")  # §25.1 token characters


def token(text: str, *, limit: int = 24) -> str:
    """``text`` reduced to SIP token characters (§25.1), at most ``limit`` of them (the tail kept)."""
    return _NOT_TOKEN.sub("-", text)[-limit:] if text else ""


class IdSource:
    """Fresh identifiers: ``branch()``, ``tag()``, ``call_id(host)``."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = token(prefix)
        self._random = secrets.token_hex(4)
        self._counter = itertools.count(1)

    def _unique(self) -> str:
        return f"{self.prefix}{'.' if self.prefix else ''}{self._random}.{next(self._counter)}"

    def branch(self) -> str:
        """A branch with the magic cookie (§8.1.1.7: "MUST always begin with ... z9hG4bK")."""
        return BRANCH_MAGIC_COOKIE + self._unique()

    def tag(self) -> str:
        """A tag (§19.3: "globally unique and cryptographically random with at least 32 bits")."""
        return f"{secrets.token_hex(4)}.{self._unique()}"

    def call_id(self, host: str) -> str:
        """A Call-ID ``word@host`` (§8.1.1.4, §20.8)."""
        return f"{self._unique()}@{host.strip('[]').replace(':', '-')}"
