"""``[capabilities]``: what a DUT profile declares about the device, as one typed, checked record.

Each field is a key of the TOML table; its ``doc`` is the profile reference (README, "DUT profile").
A key that is not a field is a ``ProfileError`` naming the nearest field. Two kinds of flag:

- ``bool`` with default ``false`` (``rfc6026``, ``stateless_uas``...): the device does it only if
  the profile says so; tests of it are not-applicable otherwise.
- ``bool | None`` with default unset (``reliable_provisional``, ``rfc3263``...): unset means "not
  known", so the tests are tried (a miss is inconclusive); only ``false`` makes them not-applicable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, get_args, get_type_hints

from sipconform.dut.schema import ProfileError, check_names

__all__ = ["ROUTINGS", "Capabilities", "capabilities_from", "capability_docs", "ruled_out_by"]

ROUTINGS = ("request-uri", "route")
"""``routing``: how the suite makes a proxy DUT route an INVITE (RFC 3261 §16.5 / §16.4 loose routing)."""


def _doc(text: str, default: Any = None) -> Any:
    return field(default=default, metadata={"doc": text})


@dataclass(frozen=True)
class Capabilities:
    """The ``[capabilities]`` table of a DUT profile."""

    rfc6026: bool = _doc("the UAS's INVITE server transaction has RFC 6026's Accepted state (§7.1: it "
                         "absorbs INVITE retransmissions after a 2xx); false: the RFC 6026 UAS tests are not "
                         "applicable", False)
    stateless_uas: bool = _doc("the DUT is a stateless UAS (RFC 3261 §8.2.7); false: the stateless-UAS test "
                               "is not applicable", False)
    reliable_provisional: bool | None = _doc("the DUT sends/accepts reliable provisional responses (RFC 3262 "
                                             "100rel, PRACK); false: those tests are not applicable")
    rfc3263: bool | None = _doc("the DUT locates SIP servers by RFC 3263 DNS (NAPTR/SRV); false: the RFC 3263 "
                                "tests are not applicable")
    rfc6228: bool | None = _doc("the proxy generates RFC 6228 199 (Early Dialog Terminated) responses; "
                                "false: not applicable; unset: tried, a miss is inconclusive")
    request_disposition: bool | None = _doc("the proxy honours RFC 3841 Request-Disposition: no-cancel; "
                                            "false: not applicable; unset: tried, a miss is inconclusive")
    strict_rfc3261_proxy: bool = _doc("the proxy claims RFC 3261 §16.10's MUST to forward statelessly a "
                                      "CANCEL that matches no transaction (else that check is a SHOULD)", False)
    routing: str = _doc("how the suite routes through a proxy DUT: \"request-uri\" (the Request-URI, §16.5) "
                        "or \"route\" (a preloaded Route: <sip:DUT;lr>, §16.4)", "request-uri")
    fork_header: str | None = _doc("the header that makes the proxy fork an INVITE in parallel to the URIs "
                                   "it lists (e.g. \"X-Fork-To\"); unset: forking tests are inconclusive")
    timer_c: float | None = _doc("the proxy's Timer C in seconds (§16.6 step 11; unset: the RFC's 3 minutes)")
    auth_user: str | None = _doc("user name the proxy accepts when it challenges an INVITE (401/407)")
    auth_password: str | None = _doc("password for auth_user")

    def value(self, name: str) -> Any:
        """The value of capability ``name`` (a field name; KeyError for an unknown one)."""
        if name not in _FIELDS:
            raise KeyError(name)
        return getattr(self, name)


_FIELDS = {f.name: f for f in fields(Capabilities)}
_TYPES: dict[str, tuple[type, ...]] = {name: tuple(t for t in (get_args(hint) or (hint,)))
                                       for name, hint in get_type_hints(Capabilities).items()}


def capability_docs() -> dict[str, str]:
    """Capability name -> its one-sentence meaning (the README's profile reference lists them)."""
    return {name: str(f.metadata["doc"]) for name, f in _FIELDS.items()}


def _typed(name: str, value: Any, where: str) -> Any:
    allowed = _TYPES[name]
    if float in allowed and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bool) and bool not in allowed or not isinstance(value, allowed):
        kinds = " or ".join("true/false" if t is bool else t.__name__ for t in allowed if t is not type(None))
        raise ProfileError(f"{where}: [capabilities] {name} must be {kinds}, got {value!r}")
    return value


def capabilities_from(table: Any, where: str) -> Capabilities:
    """Check and type a ``[capabilities]`` table: unknown names and wrong types are ``ProfileError``."""
    if not isinstance(table, Mapping):
        raise ProfileError(f"{where}: [capabilities] must be a table")
    check_names(table, _FIELDS, where, "capability", "[capabilities]")
    values = {name: _typed(name, value, where) for name, value in table.items()}
    if values.get("routing", "request-uri") not in ROUTINGS:
        raise ProfileError(f"{where}: [capabilities] routing must be one of {', '.join(ROUTINGS)}, "
                           f"got {values['routing']!r}")
    return Capabilities(**values)


def ruled_out_by(capabilities: Capabilities, name: str) -> str | None:
    """Why a test that requires capability ``name`` does not apply (the profile key), or None if it may run:
    it is ruled out when the capability is false, written so or by default."""
    value = capabilities.value(name)
    if value is not False:
        return None
    said = "is false (the default)" if _FIELDS[name].default is False else "= false"
    meaning = str(_FIELDS[name].metadata["doc"]).split(";")[0]
    return f"the profile's [capabilities] {name} {said}; the test applies only where it holds: {meaning}"
