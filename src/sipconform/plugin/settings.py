"""The run's configuration, resolved once: command line > ini > DUT profile > default.

``resolve(...)`` takes plain values (what pytest's options and ini keys hold) and returns a
frozen ``Settings``; every bad value is a ``SettingsError`` with one clear sentence, which the
plugin re-raises as ``pytest.UsageError``. No pytest in here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sipconform.dut.profile import DutProfile, ProfileError, load_profile, parse_address
from sipconform.dut.reference import unapplied_timers
from sipconform.dut.registry import reference_duts
from sipconform.sip.timers import Timers
from sipconform.vocabulary import ROLES, TRANSPORTS

__all__ = ["DEFAULT_DUT", "DEFAULT_RESULTS", "TRANSPORT_CHOICES", "DutTarget", "Settings", "SettingsError", "Source",
           "describe", "families", "parse_transports", "resolve"]

DEFAULT_DUT = "reference"
DEFAULT_RESULTS = "reports/results.json"
TRANSPORT_CHOICES = (*TRANSPORTS, "all")


class SettingsError(ValueError):
    """A configuration value that cannot be used; the message names the option and the value."""


@dataclass(frozen=True)
class Source:
    """One raw value and where it came from: ``"cli"``, ``"ini"`` or ``"default"``; ``base`` is the
    directory a relative path in it is taken from (the invocation dir, the ini file's dir, the rootdir)."""

    value: str | None
    origin: str = "default"
    base: Path = Path(".")


@dataclass(frozen=True)
class DutTarget:
    """One (DUT, transport) instance a test is run against: the resolved DUT itself; ``id`` is the
    test-id part."""

    dut: DutProfile
    transport: str
    family: int = 4  # the IP version: 6 reaches the DUT at its ``host6`` (or a ``host`` that is IPv6)

    @property
    def id(self) -> str:
        """``kamailio-uas-tls``; an IPv6 instance says so (``kamailio-uas-tls-ipv6``), IPv4 stays unmarked."""
        return f"{self.dut.name}-{self.transport}" + ("-ipv6" if self.family == 6 else "")


def describe(dut: DutProfile) -> str:
    """One line for the report header: who, where, transports, timers."""
    where = "started by the suite" if dut.reference else f"{dut.host}:{dut.port}"
    t = dut.timers
    return (f"{dut.name}: role {dut.role}, {where}, transports {','.join(dut.transports)}, "
            f"T1 {t.t1:g} s (T2 {t.t2:g} s, T4 {t.t4:g} s)")


@dataclass(frozen=True)
class Settings:
    """Everything the plugin needs to know about the run (stored in ``config.stash``). Each DUT is final:
    role and timers after the options; a reference DUT (``dut.reference``) is started from this same profile.
    ``dut.transports`` stay the profile's (what the device runs: a proxy may be made to forward to one the
    tests do not run over); ``transport`` (``--sip-transport``) selects which of them tests run over."""

    duts: tuple[DutProfile, ...]
    requested: tuple[str, ...] = (DEFAULT_DUT,)
    role: str | None = None
    transport: str = "all"
    strict: bool = False
    results_path: Path = Path(DEFAULT_RESULTS)
    probe: bool = True
    notes: tuple[str, ...] = field(default=())  # shown in the report header
    tls_keylog: Path | None = None  # where TLS session keys go (SSLKEYLOGFILE format)

    def targets(self, roles: Sequence[str] | None = None, transports: Sequence[str] | None = None
                ) -> list[DutTarget]:
        """(DUT, transport) instances for a test applying to ``roles`` on ``transports`` (None: any)."""
        return [DutTarget(d, t, family) for d in self.duts if roles is None or d.role in roles
                for t in d.transports if (transports is None or t in transports) and self.runs_over(t)
                for family in families(d)]

    def runs_over(self, transport: str) -> bool:
        """Whether ``--sip-transport`` selects ``transport`` for the tests (a DUT may run more)."""
        return self.transport == "all" or transport in self.transport.split(",")


def families(dut: DutProfile) -> tuple[int, ...]:
    """The IP versions a DUT is tested on: its ``host``'s, and 6 as well when it gives a ``host6``."""
    first = 6 if ":" in dut.host else 4
    return (first, 6) if first == 4 and dut.host6 else (first,)


def parse_transports(value: str | None, origin: str) -> tuple[str, ...]:
    """``--sip-transport``: a comma list of transports, or ``all`` (also the default)."""
    names = [n.strip().lower() for n in (value or "all").split(",") if n.strip()]
    if not names or "all" in names:
        return TRANSPORTS
    unknown = [n for n in names if n not in TRANSPORTS]
    if unknown:
        raise SettingsError(f"sip_transport ({origin}): {', '.join(map(repr, unknown))} is not a transport; give "
                            f"a comma list of {', '.join(TRANSPORTS)}, or all")
    return tuple(dict.fromkeys(names))


def _pick(*sources: Source) -> Source:
    """The first source with a value (command line first)."""
    return next((s for s in sources if s.value not in (None, "")), Source(None))


def _parse_t1(src: Source) -> float | None:
    if src.value is None:
        return None
    try:
        t1 = float(src.value)
    except ValueError:
        raise SettingsError(f"sip_t1 ({src.origin}): {src.value!r} is not a number of seconds") from None
    if not t1 > 0:
        raise SettingsError(f"sip_t1 ({src.origin}): T1 must be > 0 seconds, got {src.value}")
    return t1


def _timers(timers: Timers, t1: float | None) -> tuple[Timers, str | None]:
    """``--sip-t1`` applied: T2 and T4 stay as the profile says. RFC 3261 §17.1.2.2 caps the retransmit
    interval, which starts at T1 and doubles, at T2 (``MIN(2*T1, T2)``): a T2 below T1 has no meaning. So if
    the new T1 exceeds the profile's T2, T2 is the RFC's own (Table 4: 4 s; T1 if that is larger still),
    with a note."""
    if t1 is None:
        return timers, None
    if t1 <= timers.t2:
        return replace(timers, t1=t1), None
    t2 = max(Timers().t2, t1)
    return (Timers(t1=t1, t2=t2, t4=timers.t4),
            f"T1 {t1:g} s exceeds the profile's T2 {timers.t2:g} s, which §17.1.2.2 needs at least as large: "
            f"T2 is {t2:g} s (RFC 3261 Table 4, or T1 if larger)")


def _one_dut(spec: str, base: Path, role: str | None, refs: Mapping[str, DutProfile],
             broken: Mapping[str, str]) -> list[DutProfile]:
    """``spec`` -> profiles: ``reference``, a reference name, an address or a profile path."""
    if spec == DEFAULT_DUT:
        chosen = [p for p in refs.values() if role is None or p.role == role]
        if refs and not chosen:
            raise SettingsError(f"sip_role: no reference DUT has role {role!r} "
                                f"(they are: {', '.join(f'{n} ({p.role})' for n, p in refs.items())})")
        return chosen
    if spec in refs:
        profile = refs[spec]
        if role is not None and profile.role != role:
            raise SettingsError(f"sip_role: reference DUT {spec} is a {profile.role}, not a {role}")
        return [profile]
    if spec in broken:
        raise SettingsError(f"sip_dut: {broken[spec]}")
    if spec.partition(":")[0] in TRANSPORTS:
        try:
            return [parse_address(spec, role)]
        except ProfileError as exc:
            raise SettingsError(f"sip_dut: {exc}") from None
    path = Path(spec)
    path = path if path.is_absolute() else base / path
    if not path.is_file():
        known = ", ".join([DEFAULT_DUT, *refs]) or DEFAULT_DUT
        raise SettingsError(f"sip_dut: {spec!r} is neither a profile file ({path} does not exist), "
                            f"a reference DUT ({known}) nor TRANSPORT:HOST:PORT")
    try:
        return [load_profile(path)]
    except ProfileError as exc:
        raise SettingsError(f"sip_dut: {exc}") from None


def resolve(*, dut: Sequence[Source], role: Sequence[Source], transport: Sequence[Source],
            t1: Sequence[Source], strict: Sequence[Source], results: Sequence[Source], probe: Sequence[Source],
            reference_dirs: Sequence[Path] = (), tls_keylog: Path | None = None) -> Settings:
    """Resolve the options; each argument lists its sources, command line first."""
    role_src = _pick(*role)
    if role_src.value is not None and role_src.value not in ROLES:
        raise SettingsError(f"sip_role ({role_src.origin}): {role_src.value!r} is not one of {', '.join(ROLES)}")
    transport_src = _pick(*transport)
    wanted = parse_transports(transport_src.value, transport_src.origin)
    chosen_transport = "all" if wanted == TRANSPORTS else ",".join(wanted)
    t1_value = _parse_t1(_pick(*t1))
    dut_src = _pick(*dut)
    specs = [s for s in (dut_src.value or DEFAULT_DUT).replace(",", " ").split() if s]
    refs, broken = reference_duts(reference_dirs)
    duts: list[DutProfile] = []
    notes: list[str] = [f"reference profile left out: {problem}" for problem in broken.values()]
    for spec in specs:
        for profile in _one_dut(spec, dut_src.base, role_src.value, refs, broken):
            transports = tuple(t for t in profile.transports if t in wanted)
            if not transports:
                notes.append(f"{profile.name} skipped: it lists no {chosen_transport} transport")
                continue
            if any(d.name == profile.name for d in duts):
                continue
            timers, note = _timers(profile.timers, t1_value)
            resolved = replace(profile, role=role_src.value or profile.role, timers=timers)
            notes += [f"{profile.name}: {n}" for n in (note, unapplied_timers(resolved)) if n]
            duts.append(resolved)
    if not duts and specs != [DEFAULT_DUT]:
        raise SettingsError(f"sip_transport: no selected DUT runs over {chosen_transport} ({'; '.join(notes)})")
    if not duts:
        notes.append("no reference DUT profile found" if not refs else "no reference DUT left after the filters")
    results_src = _pick(*results)
    results_path = Path(results_src.value or DEFAULT_RESULTS)
    results_path = results_path if results_path.is_absolute() else results_src.base / results_path
    probe_src = _pick(*probe)
    return Settings(
        duts=tuple(duts), requested=tuple(specs), role=role_src.value, transport=chosen_transport,
        strict=_flag(_pick(*strict), "sip_strict"), results_path=results_path,
        probe=True if probe_src.value is None else _flag(probe_src, "sip_probe"), notes=tuple(notes),
        tls_keylog=tls_keylog,
    )


def _flag(src: Source, name: str) -> bool:
    value = (src.value or "false").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} ({src.origin}): {src.value!r} is not a boolean (true/false)")
