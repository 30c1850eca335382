"""The Reason header field (RFC 3326 §2) of the CANCELs a proxy sends, read for the RFC 3326 and RFC 6228 checks."""

from __future__ import annotations

from collections.abc import Iterable

from sipconform.sip.headers import split_list
from sipconform.sip.uri import parse_params

__all__ = ["reason_values", "sip_causes"]


def reason_values(values: Iterable[str]) -> list[tuple[str, dict[str, str]]]:
    """Reason values (RFC 3326 §2: ``protocol *(SEMI reason-params)``) as (protocol upper-cased, params with
    lower-case names and unquoted values); a comma-joined value is split first."""
    out = []
    for value in (v for text in values for v in split_list(text)):
        protocol, _, rest = value.partition(";")
        params = {k.lower(): (v or "").strip('"') for k, v in parse_params(rest)}
        out.append((protocol.strip().upper(), params))
    return out


def sip_causes(values: Iterable[str]) -> list[str | None]:
    """The ``cause`` of each ``SIP`` Reason value (RFC 3326 §2; None where a SIP value has no cause)."""
    return [params.get("cause") for protocol, params in reason_values(values) if protocol == "SIP"]
