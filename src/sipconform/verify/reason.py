"""RFC 3326 Reason values: a parser for any role that reads them (a UAC's CANCEL, a proxy's relayed or
generated CANCEL) and the RFC3326-2-4 check of the values one message carries."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sipconform.sip.grammar import is_token
from sipconform.sip.headers import split_list
from sipconform.sip.uri import split_outside_quotes

__all__ = ["ReasonValue", "distinct_protocols", "reason_values", "sip_causes"]

# RFC 3326 §2: reason-value = protocol *(SEMI reason-params); protocol = "SIP" / "Q.850" / token;
# reason-params = protocol-cause / reason-text / reason-extension; protocol-cause = "cause" EQUAL
# cause; cause = 1*DIGIT; reason-text = "text" EQUAL quoted-string.
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


@dataclass(frozen=True)
class ReasonValue:
    """One Reason value as written: its protocol and its parameters (names lower-cased, values as written,
    quotes kept)."""

    text: str
    protocol: str
    params: tuple[tuple[str, str], ...]

    @property
    def key(self) -> str:
        """The protocol as compared (tokens are case-insensitive): upper-cased."""
        return self.protocol.upper()

    def param(self, name: str) -> str | None:
        """The value of parameter ``name`` with its quotes removed, or None."""
        return next((v.strip('"') for k, v in self.params if k == name.lower()), None)

    @property
    def compared(self) -> tuple[str, dict[str, str]]:
        """What two copies of a value must share (RFC 3326 §2: the protocol, the cause, the text): the protocol
        upper-cased and the parameters with their quotes removed."""
        return self.key, {k: v.strip('"') for k, v in self.params}


def reason_values(values: Iterable[str]) -> list[ReasonValue]:
    """Reason header values (a comma-joined one split first, §7.3.1), parsed leniently: a malformed one is
    returned as written for ``distinct_protocols`` to name."""
    out = []
    for value in (v for text in values for v in split_list(text)):
        protocol, *params = [p.strip() for p in split_outside_quotes(value, ";")]
        parsed = []
        for param in params:
            name, _, arg = param.partition("=")
            parsed.append((name.strip().lower(), arg.strip()))
        out.append(ReasonValue(value, protocol, tuple(parsed)))
    return out


def sip_causes(values: Iterable[str]) -> list[str | None]:
    """The ``cause`` of each ``SIP`` Reason value (RFC 3326 §2; None where a SIP value has no cause)."""
    return [value.param("cause") for value in reason_values(values) if value.key == "SIP"]


def distinct_protocols(values: Iterable[str]) -> list[str]:
    """RFC3326-2-4: the Reason values of one message each well formed (§2: protocol a token, cause = 1*DIGIT,
    text = quoted-string) and no two with the same protocol."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for value in reason_values(values):
        if not is_token(value.protocol):
            problems.append(f"Reason {value.text!r}: protocol {value.protocol!r} is not a token")
            continue
        for name, arg in value.params:
            if name == "cause" and not arg.isdigit():
                problems.append(f"Reason {value.text!r}: cause={arg!r} is not 1*DIGIT")
            elif name == "text" and _QUOTED.fullmatch(arg) is None:
                problems.append(f"Reason {value.text!r}: text={arg!r} is not a quoted-string")
        if value.key in seen:
            problems.append(f"two Reason values with protocol {value.protocol!r}: {seen[value.key]!r} and "
                            f"{value.text!r}")
        seen.setdefault(value.key, value.text)
    return problems
