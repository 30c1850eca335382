"""DUT profiles: what the device is, where it listens, which timers it runs, what it declares.

The TOML format is a contract (DESIGN.md, "DUT profile"). A profile is data; loading it
validates it once and turns every mistake into a ``ProfileError`` that names the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sipconform.dut.capabilities import Capabilities, capabilities_from
from sipconform.dut.schema import ProfileError, check_names
from sipconform.sip.timers import Timers
from sipconform.vocabulary import ROLES, TRANSPORTS

__all__ = ["KEYS", "PROGRAMS", "ROLES", "TABLES", "TARGET_BEHAVIOURS", "TRANSPORTS", "DutProfile", "ProfileError",
           "ReferenceSpec", "TlsSpec", "UpperTesterSpec", "load_profile", "parse_address", "profile_from_mapping"]

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
PROGRAMS = ("kamailio", "baresip")
"""``[reference] program``: the programs the suite can start as a reference DUT (``dut/reference.py``)."""

# The schema: top-level keys, and each table with its keys (None: checked by its own parser). A new table
# (``[tls]``) is one more entry here and one more field of ``DutProfile``.
KEYS = ("name", "role", "host", "host6", "port", "transports", "known_deviations")
TABLES: dict[str, tuple[str, ...] | None] = {
    "timers": ("t1", "t2", "t4"),
    "capabilities": None,  # dut/capabilities.py
    "targets": tuple(TARGET_BEHAVIOURS),
    "upper_tester": ("kind", "control", *ACTIONS),
    "reference": ("program", "config", "user", "fr_inv_ms", "shm_mb", "pkg_mb"),
    "dns": ("server",),
    "ports": TRANSPORTS,
    "tls": ("ca", "cert", "key", "verify", "server_name", "require_client_cert"),
    "ws": ("path",),
}


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
class ReferenceSpec:
    """``[reference]``: the suite starts this DUT itself (the one registry of reference DUTs)."""

    program: str  # one of PROGRAMS
    config: str  # relative to the fixtures directory: a kamailio cfg or a baresip template directory
    user: str | None = None  # baresip: its account's user (the OPTIONS probe's Request-URI user)
    fr_inv_ms: int = 32000  # kamailio: tm's fr_inv_timer, how long a ringing INVITE stays pending
    shm_mb: int = 512  # kamailio -m: shared memory, sized for the load campaign (32 MB runs out above ~200 calls/s)
    pkg_mb: int = 8  # kamailio -M: private memory per process


@dataclass(frozen=True)
class TlsSpec:
    """``[tls]``: the lab's PEM files (absolute, or relative to the profile) and how the suite checks the DUT's
    certificate (RFC 3261 §26.3.1; ``verify = false`` only when the profile says so). ``cert``/``key``: what
    the suite's peers present, as servers and for mutual TLS (``require_client_cert``: the peers demand one
    from the DUT too). ``server_name``: the name checked and sent as SNI (default: the DUT's host)."""

    ca: str | None = None
    cert: str | None = None
    key: str | None = None
    verify: bool = True
    server_name: str | None = None
    require_client_cert: bool = False


@dataclass(frozen=True)
class DutProfile:
    """A device under test, resolved once: identity, role, address, transports, timers, capabilities,
    targets, upper tester and DNS. ``reference`` is set when the suite starts the DUT itself; the started
    DUT is this same profile with its real address (``with_address``)."""

    name: str
    role: str
    host: str = "127.0.0.1"
    port: int = 5060
    transports: tuple[str, ...] = ("udp",)
    timers: Timers = field(default_factory=Timers)
    capabilities: Capabilities = field(default_factory=Capabilities)
    upper_tester: UpperTesterSpec = field(default_factory=UpperTesterSpec)
    reference: ReferenceSpec | None = None
    known_deviations: tuple[str, ...] = ()
    targets: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    source: str = ""
    dns_server: tuple[str, int] | None = None  # [dns] server: where the DUT sends its DNS queries (RFC 3263 tests)
    host6: str | None = None  # the DUT's IPv6 address, when it has one besides ``host`` (each test runs on both)
    ports: Mapping[str, int] = field(default_factory=dict)  # [ports]: a transport's own port (TLS on 5061...)
    tls: TlsSpec | None = None  # [tls]; None: trust the system store (a reference DUT: the run's throwaway CA)
    ws_path: str = "/"  # [ws] path: the resource of the WebSocket upgrade (RFC 6455 §4.1, RFC 7118)

    def port_for(self, transport: str) -> int:
        """The port the DUT listens on for ``transport`` (``[ports]``, else ``port``)."""
        return int(self.ports.get(transport, self.port))

    def on(self, transport: str, family: int = 4) -> DutProfile:
        """This DUT as one test instance reaches it: the address of IP version ``family``, the port of
        ``transport``."""
        host = self.host6 if family == 6 and self.host6 else self.host
        return replace(self, host=host, port=self.port_for(transport))

    def with_address(self, host: str, port: int, *, dns_server: tuple[str, int] | None = None,
                     control: str | None = None, ports: Mapping[str, int] | None = None,
                     host6: str | None = None, tls: TlsSpec | None = None) -> DutProfile:
        """The same DUT at the address it was started on (and its DNS server, its upper tester's control, the
        ports of its other transports, its IPv6 address, the certificates it was given)."""
        upper = self.upper_tester if control is None else replace(self.upper_tester, control=control)
        return replace(self, host=host, port=port, dns_server=dns_server or self.dns_server, upper_tester=upper,
                       ports=self.ports if ports is None else ports, host6=host6 or self.host6,
                       tls=tls or self.tls)


def _require(cond: bool, where: str, msg: str) -> None:
    if not cond:
        raise ProfileError(f"{where}: {msg}")


def _table(data: Mapping[str, Any], name: str, where: str) -> Mapping[str, Any]:
    value: Mapping[str, Any] = data.get(name, {})
    _require(isinstance(value, Mapping), where, f"[{name}] must be a table")
    keys = TABLES[name]
    if keys is not None:
        check_names(value, keys, where, "key", f"[{name}]")
    return value


def _check_schema(data: Mapping[str, Any], where: str) -> None:
    check_names(data, (*KEYS, *TABLES), where, "key", tables=TABLES)
    for name in TABLES:
        _table(data, name, where)


def _upper_tester(ut: Mapping[str, Any], role: str, where: str) -> UpperTesterSpec:
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
    return UpperTesterSpec(kind=kind, control=ut.get("control"), **{key: tuple(ut.get(key, [])) for key in ACTIONS})


def _reference(ref: Mapping[str, Any], where: str) -> ReferenceSpec | None:
    if not ref:
        return None
    program, config = ref.get("program"), ref.get("config")
    _require(program in PROGRAMS, where, f"[reference] program must be one of {', '.join(PROGRAMS)}, got {program!r}")
    _require(isinstance(config, str) and bool(config), where,
             "[reference] config must name the DUT's configuration under fixtures/")
    user, fr_inv_ms = ref.get("user"), ref.get("fr_inv_ms", 32000)
    _require(user is None or isinstance(user, str), where, "[reference] user must be a string")
    _require(isinstance(fr_inv_ms, int) and fr_inv_ms > 0, where, "[reference] fr_inv_ms must be a positive integer")
    memory = {key: ref.get(key, default) for key, default in (("shm_mb", 512), ("pkg_mb", 8))}
    for key, value in memory.items():
        _require(isinstance(value, int) and value > 0, where, f"[reference] {key} must be a positive integer")
    return ReferenceSpec(program=str(program), config=str(config), user=user, fr_inv_ms=fr_inv_ms, **memory)


def profile_from_mapping(data: Mapping[str, Any], source: str = "<profile>") -> DutProfile:
    """Validate a parsed TOML mapping into a ``DutProfile`` (the schema first: unknown names are errors)."""
    where = source
    _check_schema(data, where)
    name = data.get("name", Path(source).stem)
    role = data.get("role")
    _require(role in ROLES, where, f"role must be one of {', '.join(ROLES)}, got {role!r}")
    host = data.get("host", "127.0.0.1")
    _require(isinstance(host, str) and bool(host), where, "host must be a non-empty string")
    port = data.get("port", 5060)
    _require(isinstance(port, int) and 0 <= port <= 65535, where, f"port must be 0..65535, got {port!r}")
    raw_transports = data.get("transports", ["udp"])
    transports = tuple(raw_transports) if isinstance(raw_transports, list) else ()
    _require(bool(transports) and all(t in TRANSPORTS for t in transports), where,
             f"transports must be a non-empty list, a subset of {list(TRANSPORTS)}, got {raw_transports!r}")
    try:
        timers = Timers(**{k: float(v) for k, v in _table(data, "timers", where).items()})
    except (TypeError, ValueError) as exc:
        raise ProfileError(f"{where}: [timers]: {exc}") from None
    targets = _table(data, "targets", where)
    _require(all(isinstance(v, str) for v in targets.values()), where,
             "[targets] values must be strings (Request-URI users)")
    host6 = data.get("host6")
    _require(host6 is None or (isinstance(host6, str) and ":" in host6), where,
             f"host6 must be an IPv6 address (the DUT's second address, e.g. \"::1\"), got {host6!r}")
    ports = _table(data, "ports", where)
    _require(all(isinstance(v, int) and 0 <= v <= 65535 for v in ports.values()), where,
             "[ports] values must be ports 0..65535, one per transport (tls = 5061)")
    ws_path = _table(data, "ws", where).get("path", "/")
    _require(isinstance(ws_path, str) and ws_path.startswith("/"), where,
             f"[ws] path must be a resource path starting with '/', got {ws_path!r}")
    deviations = data.get("known_deviations", [])
    _require(isinstance(deviations, list), where, "known_deviations must be a list of strings")
    return DutProfile(
        dns_server=_dns_server(_table(data, "dns", where), where),
        name=str(name), role=str(role), host=host, port=port, transports=transports, timers=timers,
        capabilities=capabilities_from(_table(data, "capabilities", where), where),
        upper_tester=_upper_tester(_table(data, "upper_tester", where), str(role), where),
        targets={**DEFAULT_TARGETS, **targets}, reference=_reference(_table(data, "reference", where), where),
        known_deviations=tuple(str(d) for d in deviations), source=source,
        host6=host6, ports=dict(ports), tls=_tls(_table(data, "tls", where), source, where), ws_path=ws_path,
    )


def _tls(section: Mapping[str, Any], source: str, where: str) -> TlsSpec | None:
    """``[tls]``: paths taken from the profile's folder, flags as booleans; a key needs its certificate."""
    if not section:
        return None
    base = Path(source).parent
    files: dict[str, str | None] = {}
    for key in ("ca", "cert", "key"):
        value = section.get(key)
        _require(value is None or (isinstance(value, str) and bool(value)), where,
                 f"[tls] {key} must be the path of a PEM file")
        files[key] = None if value is None else str(base / value)
    for key in ("verify", "require_client_cert"):
        _require(isinstance(section.get(key, False), bool), where, f"[tls] {key} must be true or false")
    _require(files["key"] is None or files["cert"] is not None, where, "[tls] key needs its cert")
    name = section.get("server_name")
    _require(name is None or (isinstance(name, str) and bool(name)), where, "[tls] server_name must be a host name")
    return TlsSpec(**files, verify=section.get("verify", True), server_name=name,
                   require_client_cert=section.get("require_client_cert", False))


def _dns_server(section: Mapping[str, Any], where: str) -> tuple[str, int] | None:
    """``[dns] server = "HOST:PORT"`` (IPv6 host in brackets): the address the DUT resolves through."""
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
