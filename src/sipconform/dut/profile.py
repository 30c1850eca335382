"""DUT profiles: what the device is, where it listens, which timers it runs, what it declares.

The TOML format is a contract (DESIGN.md, "DUT profile"). A profile is data; loading it
validates it once and turns every mistake into a ``ProfileError`` that names the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from sipconform.sip.timers import Timers

__all__ = ["ROLES", "TARGET_BEHAVIOURS", "TRANSPORTS", "DutProfile", "ProfileError", "UpperTesterSpec", "load_profile",
           "parse_address", "profile_from_mapping"]

ROLES = ("uas", "uac", "proxy", "stateless-proxy")
TRANSPORTS = ("udp", "tcp")
UPPER_TESTER_KINDS = ("exec", "baresip", "manual", "none")
ACTIONS = ("call", "hangup", "reinvite", "cancel", "reject")
"""The ``[upper_tester]`` argv keys of an ``exec`` upper tester."""

# [targets]: Request-URI users that make a DUT acting as UAS behave a given way. Only ``ring`` has a
# default; a test that needs another behaviour the profile does not name is inconclusive, not passed.
TARGET_BEHAVIOURS = {
    "ring": "rings (18x) and stays pending until cancelled",
    "trying": "sends only 100 Trying and stays pending",
    "answer": "answers 200 OK at once",
    "busy": "rejects at once with a non-2xx final (e.g. 486)",
}
DEFAULT_TARGETS = {"ring": "sipconform"}


class ProfileError(ValueError):
    """A DUT profile that cannot be used, with the offending key in the message."""


@dataclass(frozen=True)
class UpperTesterSpec:
    """How to make a DUT act as a user would (DESIGN.md, [upper_tester]): as UAC place a call and hang up;
    as UAS reject the incoming call that rings."""

    kind: str = "none"
    call: tuple[str, ...] = ()
    hangup: tuple[str, ...] = ()
    reinvite: tuple[str, ...] = ()  # exec: make the DUT send a re-INVITE in the established call
    cancel: tuple[str, ...] = ()    # exec: make the DUT cancel its pending re-INVITE
    reject: tuple[str, ...] = ()    # exec: make the DUT (as UAS) reject the incoming call that rings
    control: str | None = None  # baresip: "HOST:PORT" of its ctrl_tcp interface


@dataclass(frozen=True)
class DutProfile:
    """A device under test. ``reference`` names a built-in launcher when the suite starts the DUT itself."""

    name: str
    role: str
    host: str = "127.0.0.1"
    port: int = 5060
    transports: tuple[str, ...] = ("udp",)
    timers: Timers = field(default_factory=Timers)
    capabilities: Mapping[str, Any] = field(default_factory=dict)
    upper_tester: UpperTesterSpec = field(default_factory=UpperTesterSpec)
    reference: Mapping[str, Any] | None = None
    known_deviations: tuple[str, ...] = ()
    targets: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    source: str = ""
    dns_server: tuple[str, int] | None = None  # [dns] server: where the DUT sends its DNS queries (RFC 3263 tests)

    def capability(self, name: str, default: Any = None) -> Any:
        return self.capabilities.get(name, default)

    def with_address(self, host: str, port: int) -> DutProfile:
        return replace(self, host=host, port=port)


def _require(cond: bool, where: str, msg: str) -> None:
    if not cond:
        raise ProfileError(f"{where}: {msg}")


def profile_from_mapping(data: Mapping[str, Any], source: str = "<profile>") -> DutProfile:
    """Validate a parsed TOML mapping into a ``DutProfile``."""
    where = source
    name = data.get("name", Path(source).stem)
    role = data.get("role")
    _require(role in ROLES, where, f"role must be one of {', '.join(ROLES)}, got {role!r}")
    host = data.get("host", "127.0.0.1")
    _require(isinstance(host, str) and bool(host), where, "host must be a non-empty string")
    port = data.get("port", 5060)
    _require(isinstance(port, int) and 0 <= port <= 65535, where, f"port must be 0..65535, got {port!r}")
    transports = tuple(data.get("transports", ["udp"]))
    _require(bool(transports) and all(t in TRANSPORTS for t in transports), where,
             f"transports must be a non-empty subset of {list(TRANSPORTS)}, got {list(transports)}")
    raw_timers = data.get("timers", {})
    try:
        timers = Timers(**{k: float(v) for k, v in raw_timers.items()})
    except (TypeError, ValueError) as exc:
        raise ProfileError(f"{where}: [timers]: {exc}") from None
    ut = data.get("upper_tester", {})
    kind = ut.get("kind", "none")
    _require(kind in UPPER_TESTER_KINDS, where, f"upper_tester.kind must be one of {UPPER_TESTER_KINDS}, got {kind!r}")
    for key in ACTIONS:
        argv = ut.get(key, [])
        _require(isinstance(argv, list) and all(isinstance(a, str) for a in argv), where,
                 f"upper_tester.{key} must be a list of strings (argv, run without a shell)")
    _require(kind != "exec" or role != "uac" or bool(ut.get("call")), where,
             "upper_tester.kind = 'exec' needs a 'call' argv")
    _require(kind != "exec" or any(ut.get(key) for key in ACTIONS), where,
             f"upper_tester.kind = 'exec' needs an argv for at least one of {', '.join(ACTIONS)}")
    upper = UpperTesterSpec(kind=kind, control=ut.get("control"), **{key: tuple(ut.get(key, [])) for key in ACTIONS})
    targets = data.get("targets", DEFAULT_TARGETS)
    _require(isinstance(targets, dict)
             and all(k in TARGET_BEHAVIOURS and isinstance(v, str) for k, v in targets.items()), where, f"[targets] keys must be among {list(TARGET_BEHAVIOURS)} with string values (Request-URI users)")
    return DutProfile(
        dns_server=_dns_server(data.get("dns", {}), where),
        name=str(name), role=str(role), host=host, port=port, transports=transports, timers=timers,
        capabilities=dict(data.get("capabilities", {})), upper_tester=upper, targets={**DEFAULT_TARGETS, **targets},
        reference=data.get("reference"), known_deviations=tuple(data.get("known_deviations", [])),
        source=source,
    )


def _dns_server(section: Any, where: str) -> tuple[str, int] | None:
    """``[dns] server = "HOST:PORT"`` (IPv6 host in brackets): the address the DUT resolves through."""
    _require(isinstance(section, dict), where, "[dns] must be a table")
    value = section.get("server")
    if value is None:
        return None
    host, sep, port = str(value).rpartition(":")
    _require(bool(sep and host) and port.isdigit() and 0 < int(port) < 65536, where,
             f"[dns] server must be 'HOST:PORT' with a port 1..65535, got {value!r}")
    return host.strip("[]"), int(port)


def load_profile(path: str | Path) -> DutProfile:
    """Load and validate a TOML profile file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    return profile_from_mapping(data, str(path))


def parse_address(spec: str, role: str | None) -> DutProfile:
    """``TRANSPORT:HOST:PORT`` (IPv6 host in brackets) plus a role into an ad-hoc profile."""
    transport, sep, rest = spec.partition(":")
    if not sep or transport not in TRANSPORTS:
        raise ProfileError(f"{spec!r}: expected TRANSPORT:HOST:PORT with TRANSPORT in {TRANSPORTS}")
    host, sep, port_s = rest.rpartition(":")
    if not sep or not host or not port_s.isdigit() or not 0 < int(port_s) < 65536:
        raise ProfileError(f"{spec!r}: expected TRANSPORT:HOST:PORT with a port 1..65535")
    if role is None:
        raise ProfileError(f"{spec!r}: an address needs --sip-role ({', '.join(ROLES)})")
    return profile_from_mapping(
        {"name": f"{host}:{port_s}", "role": role, "host": host.strip("[]"), "port": int(port_s),
         "transports": [transport]}, spec)
