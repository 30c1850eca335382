"""The run's configuration, resolved once: command line > ini > DUT profile > default.

``resolve(...)`` takes plain values (what pytest's options and ini keys hold) and returns a
frozen ``Settings``; every bad value is a ``SettingsError`` with one clear sentence, which the
plugin re-raises as ``pytest.UsageError``. No pytest in here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sipconform.dut.profile import ROLES, TRANSPORTS, DutProfile, ProfileError, load_profile, parse_address
from sipconform.sip.timers import Timers

__all__ = ["DEFAULT_DUT", "DEFAULT_RESULTS", "TRANSPORT_CHOICES", "DutTarget", "SelectedDut", "Settings",
           "SettingsError", "Source", "reference_profiles", "resolve"]

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
    """One (DUT, transport) instance a test is run against; ``id`` is the test-id part."""

    dut: str
    transport: str

    @property
    def id(self) -> str:
        return f"{self.dut}-{self.transport}"


@dataclass(frozen=True)
class SelectedDut:
    """A DUT of this run: its profile (role and timers after the options), how it is reached,
    and the transports it is tested on (profile transports ∩ ``--sip-transport``)."""

    profile: DutProfile
    transports: tuple[str, ...]
    launcher: str | None = None  # a reference launcher: the suite starts the DUT itself

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def external(self) -> bool:
        return self.launcher is None

    def describe(self) -> str:
        p = self.profile
        where = "started by the suite" if self.launcher else f"{p.host}:{p.port}"
        return (f"{p.name}: role {p.role}, {where}, transports {','.join(self.transports)}, "
                f"T1 {p.timers.t1:g} s (T2 {p.timers.t2:g} s, T4 {p.timers.t4:g} s)")


@dataclass(frozen=True)
class Settings:
    """Everything the plugin needs to know about the run (stored in ``config.stash``)."""

    duts: tuple[SelectedDut, ...]
    requested: tuple[str, ...] = (DEFAULT_DUT,)
    role: str | None = None
    transport: str = "all"
    t1: float | None = None
    strict: bool = False
    results_path: Path = Path(DEFAULT_RESULTS)
    probe: bool = True
    notes: tuple[str, ...] = field(default=())  # shown in the report header

    def dut(self, name: str) -> SelectedDut:
        for selected in self.duts:
            if selected.name == name:
                return selected
        raise KeyError(f"DUT {name!r} is not selected in this run")

    def targets(self, roles: Sequence[str] | None = None, transports: Sequence[str] | None = None
                ) -> list[DutTarget]:
        """(DUT, transport) instances for a test applying to ``roles`` on ``transports`` (None: any)."""
        return [DutTarget(d.name, t) for d in self.duts if roles is None or d.profile.role in roles
                for t in d.transports if transports is None or t in transports]


def reference_profiles(extra_dirs: Sequence[Path] = ()) -> tuple[dict[str, tuple[DutProfile, str]], list[str]]:
    """Built-in reference DUTs: name -> (profile, launcher), from ``sipconform.dut.reference`` plus any
    ``*.toml`` with a ``[reference]`` table in ``extra_dirs``; and the profiles that failed to load
    (left out with a note, so one broken file does not stop unrelated runs)."""
    try:
        from sipconform.dut.reference import REFERENCE_DUTS
    except ImportError:
        REFERENCE_DUTS = {}
    candidates: list[tuple[Path, str | None]] = [(spec.profile_path(), name) for name, spec in REFERENCE_DUTS.items()]
    candidates += [(path, None) for directory in extra_dirs if directory.is_dir()
                   for path in sorted(directory.glob("*.toml"))]
    found: dict[str, tuple[DutProfile, str]] = {}
    problems: list[str] = []
    seen: set[Path] = set()
    for path, launcher in candidates:
        if not path.is_file() or path.resolve() in seen:
            continue
        seen.add(path.resolve())
        try:
            profile = load_profile(path)
        except ProfileError as exc:
            problems.append(f"reference profile left out: {exc}")
            continue
        if launcher is None and profile.reference is None:
            continue  # a profile of an external device, not a reference DUT
        launcher = launcher or str((profile.reference or {}).get("launcher", profile.name))
        found.setdefault(profile.name, (profile, launcher))
    return found, problems


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


def _apply(profile: DutProfile, role: str | None, t1: float | None) -> DutProfile:
    timers = profile.timers
    if t1 is not None:  # --sip-t1: T2 raised to at least T1 (Timers needs T1 <= T2)
        timers = Timers(t1=t1, t2=max(timers.t2, t1), t4=timers.t4)
    return replace(profile, role=role or profile.role, timers=timers)


def _one_dut(spec: str, base: Path, role: str | None, refs: Mapping[str, tuple[DutProfile, str]]
             ) -> list[tuple[DutProfile, str | None]]:
    """``spec`` -> [(profile, launcher)]: ``reference``, a reference name, an address or a profile path."""
    if spec == DEFAULT_DUT:
        chosen: list[tuple[DutProfile, str | None]] = [
            (p, launcher) for p, launcher in refs.values() if role is None or p.role == role]
        if refs and not chosen:
            raise SettingsError(f"sip_role: no reference DUT has role {role!r} "
                                f"(they are: {', '.join(f'{n} ({p.role})' for n, (p, _) in refs.items())})")
        return chosen
    if spec in refs:
        profile, launcher = refs[spec]
        if role is not None and profile.role != role:
            raise SettingsError(f"sip_role: reference DUT {spec} is a {profile.role}, not a {role}")
        return [(profile, launcher)]
    if spec.partition(":")[0] in TRANSPORTS:
        try:
            return [(parse_address(spec, role), None)]
        except ProfileError as exc:
            raise SettingsError(f"sip_dut: {exc}") from None
    path = Path(spec)
    path = path if path.is_absolute() else base / path
    if not path.is_file():
        known = ", ".join([DEFAULT_DUT, *refs]) or DEFAULT_DUT
        raise SettingsError(f"sip_dut: {spec!r} is neither a profile file ({path} does not exist), "
                            f"a reference DUT ({known}) nor TRANSPORT:HOST:PORT")
    try:
        profile = load_profile(path)
    except ProfileError as exc:
        raise SettingsError(f"sip_dut: {exc}") from None
    return [(profile, None)]


def resolve(*, dut: Sequence[Source], role: Sequence[Source], transport: Sequence[Source],
            t1: Sequence[Source], strict: Sequence[Source], results: Sequence[Source], probe: Sequence[Source],
            reference_dirs: Sequence[Path] = ()) -> Settings:
    """Resolve the options; each argument lists its sources, command line first."""
    role_src = _pick(*role)
    if role_src.value is not None and role_src.value not in ROLES:
        raise SettingsError(f"sip_role ({role_src.origin}): {role_src.value!r} is not one of {', '.join(ROLES)}")
    transport_src = _pick(*transport)
    chosen_transport = transport_src.value or "all"
    if chosen_transport not in TRANSPORT_CHOICES:
        raise SettingsError(f"sip_transport ({transport_src.origin}): {chosen_transport!r} is not one of "
                            f"{', '.join(TRANSPORT_CHOICES)}")
    t1_value = _parse_t1(_pick(*t1))
    dut_src = _pick(*dut)
    specs = [s for s in (dut_src.value or DEFAULT_DUT).replace(",", " ").split() if s]
    refs, ref_problems = reference_profiles(reference_dirs)
    wanted = TRANSPORTS if chosen_transport == "all" else (chosen_transport,)
    duts: list[SelectedDut] = []
    notes: list[str] = list(ref_problems)
    for spec in specs:
        for profile, launcher in _one_dut(spec, dut_src.base, role_src.value, refs):
            transports = tuple(t for t in profile.transports if t in wanted)
            if not transports:
                notes.append(f"{profile.name} skipped: it lists no {chosen_transport} transport")
                continue
            if any(d.name == profile.name for d in duts):
                continue
            duts.append(SelectedDut(_apply(profile, role_src.value, t1_value), transports, launcher))
    if not duts and specs != [DEFAULT_DUT]:
        raise SettingsError(f"sip_transport: no selected DUT runs over {chosen_transport} ({'; '.join(notes)})")
    if not duts:
        notes.append("no reference DUT profile found" if not refs else "no reference DUT left after the filters")
    results_src = _pick(*results)
    results_path = Path(results_src.value or DEFAULT_RESULTS)
    results_path = results_path if results_path.is_absolute() else results_src.base / results_path
    probe_src = _pick(*probe)
    return Settings(
        duts=tuple(duts), requested=tuple(specs), role=role_src.value, transport=chosen_transport, t1=t1_value,
        strict=_flag(_pick(*strict), "sip_strict"), results_path=results_path,
        probe=True if probe_src.value is None else _flag(probe_src, "sip_probe"), notes=tuple(notes),
    )


def _flag(src: Source, name: str) -> bool:
    value = (src.value or "false").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} ({src.origin}): {src.value!r} is not a boolean (true/false)")
