"""Reference DUTs: real kamailio and baresip processes the suite starts, probes and stops.

``start_reference(name, workdir)`` picks free loopback ports, writes/uses the project's
configs (``fixtures/kamailio/*.cfg``, ``fixtures/baresip/``), starts the program as a
``ManagedProcess``, and returns once it answers a SIP OPTIONS (RFC 3261 §11) on every
requested transport. Anything that goes wrong is one ``ReferenceDutError`` whose message
ends with the tail of the DUT's log.
"""

from __future__ import annotations

import os
import shutil
import socket
import string
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from sipconform.dut.probe import probe
from sipconform.dut.process import ManagedProcess, ProcessStartError
from sipconform.dut.profile import DutProfile, ProfileError, load_profile

__all__ = ["FIXTURES", "REFERENCE_DUTS", "ReferenceDutError", "ReferenceSpec", "RunningDut",
           "free_port", "resolver_address", "start_reference"]

FIXTURES = Path(os.environ.get("SIPCONFORM_FIXTURES") or Path(__file__).resolve().parents[3] / "fixtures")
BARESIP_MODULES = os.environ.get("SIPCONFORM_BARESIP_MODULES", "/usr/lib/baresip/modules")
HOST = "127.0.0.1"
READY_TIMEOUT = 8.0  # seconds; kamailio is ready in ~0.3 s, baresip in ~0.5 s on an idle machine
_START_ATTEMPTS = 3  # a port picked free can be taken by someone else before the DUT binds it


class ReferenceDutError(RuntimeError):
    """A reference DUT could not be started or did not answer (message includes its log tail)."""


@dataclass(frozen=True)
class ReferenceSpec:
    name: str
    program: str  # "kamailio" | "baresip"
    profile_file: str  # relative to FIXTURES
    description: str

    def profile_path(self) -> Path:
        return FIXTURES / self.profile_file


REFERENCE_DUTS: dict[str, ReferenceSpec] = {
    spec.name: spec for spec in (
        ReferenceSpec("kamailio-uas", "kamailio", "duts/kamailio-uas.toml", "kamailio 5.6, ringing UAS (tm)"),
        ReferenceSpec("kamailio-proxy", "kamailio", "duts/kamailio-proxy.toml", "kamailio 5.6, stateful proxy (tm)"),
        ReferenceSpec("kamailio-stateless-proxy", "kamailio", "duts/kamailio-stateless-proxy.toml",
                      "kamailio 5.6, stateless proxy (forward)"),
        ReferenceSpec("baresip-uas", "baresip", "duts/baresip-uas.toml", "baresip 1.0, UAS that rings"),
        ReferenceSpec("baresip-uac", "baresip", "duts/baresip-uac.toml", "baresip 1.0, UAC driven over ctrl_tcp"),
    )
}


@dataclass
class RunningDut:
    """A started reference DUT: its profile (real address), its process, and for baresip its control port."""

    profile: DutProfile
    process: ManagedProcess
    control: tuple[str, int] | None = None

    def log_text(self) -> str:
        return self.process.log_text()

    def stop(self) -> None:
        self.process.stop()

    def __enter__(self) -> RunningDut:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ---- ports ------------------------------------------------------------------------------
def free_port(*, udp: bool = True, tcp: bool = True, tcp_offsets: Iterable[int] = ()) -> int:
    """A loopback port free on TCP (and UDP); ``tcp_offsets``: port+k must be free on TCP too."""
    offsets = tuple(tcp_offsets)
    for _ in range(64):
        socks: list[socket.socket] = []
        try:
            first = socket.socket(socket.AF_INET, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
            socks.append(first)
            first.bind((HOST, 0))
            port: int = first.getsockname()[1]
            if port + max(offsets, default=0) > 65535:
                continue
            if udp and tcp:
                socks.append(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
                socks[-1].bind((HOST, port))
            for k in offsets:
                socks.append(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
                socks[-1].bind((HOST, port + k))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise ReferenceDutError("no free loopback port found (64 tries)")


# ---- the DUT's DNS server (RFC 3263 tests) ----------------------------------------------------------
_RESOLVER_NET = "127.53"  # kamailio asks the system resolver: port 53 on a loopback address of its own


def _bindable(host: str, port: int) -> bool:
    socks: list[socket.socket] = []
    try:
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            socks.append(socket.socket(socket.AF_INET, kind))
            socks[-1].bind((host, port))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


@cache
def _can_bind_mount_privately() -> bool:
    """Can this process run a command in a mount namespace of its own and bind-mount a file there? (A
    container without CAP_SYS_ADMIN cannot, though it runs as root.)"""
    if shutil.which("unshare") is None:
        return False
    try:
        done = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                               'mount --bind "$0" "$0"', "/etc/resolv.conf"],
                              capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def resolver_address() -> tuple[str, int] | None:
    """A loopback address whose port 53 (UDP and TCP) is free, for a DUT that uses the system resolver
    (resolv.conf has no port); None if this process may not bind port 53 or run ``unshare``."""
    if os.geteuid() != 0 or not _can_bind_mount_privately():
        return None
    seed = os.getpid()
    for n in range(64):
        value = (seed + n * 7919) % 65024 + 256
        host = f"{_RESOLVER_NET}.{value >> 8}.{value & 255 or 1}"
        if _bindable(host, 53):
            return host, 53
    return None


def _with_resolver(argv: list[str], rundir: Path, dns: tuple[str, int]) -> list[str]:
    """``argv`` run in a mount namespace of its own whose /etc/resolv.conf names only ``dns`` (bind-mounted
    over the real one, which stays untouched)."""
    conf = rundir / "resolv.conf"
    conf.write_text(f"# sipconform: the suite's DNS server\nnameserver {dns[0]}\noptions timeout:1 attempts:2\n",
                    encoding="ascii")
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            'mount --bind "$0" /etc/resolv.conf && exec "$@"', str(conf), *argv]


# ---- launchers --------------------------------------------------------------------------
def _kamailio_argv(profile: DutProfile, cfg: Path, port: int, transports: tuple[str, ...], rundir: Path) -> list[str]:
    t = profile.timers
    ref = dict(profile.reference or {})
    defines = {
        "T1_MS": round(t.t1 * 1000), "T2_MS": round(t.t2 * 1000), "FR_MS": round(64 * t.t1 * 1000),
        "FR_INV_MS": int(ref.get("fr_inv_ms", 32000)), "WT_MS": round(t.t4 * 1000),
    }
    argv = ["kamailio", "-f", str(cfg), "-DD", "-E", "-Y", str(rundir), "-P", str(rundir / "kamailio.pid"),
            "-m", str(ref.get("shm_mb", 512)), "-M", str(ref.get("pkg_mb", 8))]
    for key, value in defines.items():
        argv += ["-A", f"{key}={value}"]
    for tr in ("udp", "tcp"):
        if tr in transports:
            argv += ["-l", f"{tr}:{HOST}:{port}"]
    if "tcp" not in transports:
        argv.append("-T")
    return argv


def _write_baresip_conf(confdir: Path, template: Path, sip_port: int, ctrl_port: int,
                        dns: tuple[str, int] | None = None) -> None:
    confdir.mkdir(parents=True, exist_ok=True)
    values = {"sip_listen": f"{HOST}:{sip_port}", "ctrl_listen": f"{HOST}:{ctrl_port}",
              "module_path": BARESIP_MODULES, "account_params": "",
              "dns_server": f"dns_server\t\t{dns[0]}:{dns[1]}" if dns else "# no dns_server: the system's resolver"}
    for fname in ("config", "accounts"):
        text = (template / fname).read_text(encoding="utf-8")
        (confdir / fname).write_text(string.Template(text).substitute(values), encoding="utf-8")
    (confdir / "contacts").write_text("", encoding="utf-8")


def _fresh_dir(parent: Path, name: str) -> Path:
    """``parent/name``, or ``name-2``, ``name-3``... if taken: each start gets its own files."""
    parent.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        path = parent / (name if n == 1 else f"{name}-{n}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise ReferenceDutError(f"{parent}: no free sub-directory for {name}")


def _fail(msg: str, proc: ManagedProcess | None) -> ReferenceDutError:
    if proc is None:
        return ReferenceDutError(msg)
    state = "running" if proc.running else f"exited with status {proc.returncode}"
    tail = proc.log_tail(30) or "(empty log)"
    return ReferenceDutError(f"{msg} [{proc.name} pid {proc.pid} {state}; log {proc.log_path}]\n"
                             f"--- last lines of the log ---\n{tail}")


def _port_clash(proc: ManagedProcess) -> bool:
    return not proc.running and "Address already in use" in proc.log_text()


def _tcp_accepts(port: int) -> Callable[[], bool]:
    def check() -> bool:
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return True
        except OSError:
            return False
    return check


def _await_ready(proc: ManagedProcess, profile: DutProfile, transports: tuple[str, ...],
                 deadline: float, ctrl_port: int | None, user: str | None) -> None:
    """Raise ReferenceDutError unless the DUT answers OPTIONS on every transport before ``deadline``."""
    if ctrl_port is not None and not proc.wait_for(_tcp_accepts(ctrl_port), max(deadline - time.monotonic(), 0)):
        raise _fail(f"{profile.name}: ctrl_tcp port {HOST}:{ctrl_port} never accepted a connection", proc)
    for tr in transports:
        status = probe(HOST, profile.port, tr, max(deadline - time.monotonic(), 0.0),
                       retry_s=min(profile.timers.t1, 0.2), user=user, pause=proc.pause)
        if status is None:
            why = "died" if not proc.running else f"did not answer OPTIONS over {tr.upper()}"
            raise _fail(f"{profile.name} on {HOST}:{profile.port} {why}", proc)


def start_reference(name: str, workdir: Path, *, transports: Iterable[str] = ("udp", "tcp"),
                    config: Path | None = None, ready_timeout: float = READY_TIMEOUT) -> RunningDut:
    """Start the reference DUT ``name`` (a key of ``REFERENCE_DUTS``) with its files under ``workdir``.

    ``config`` overrides the kamailio cfg file / baresip template directory (tests of broken configs).
    """
    spec = REFERENCE_DUTS.get(name)
    if spec is None:
        raise ReferenceDutError(f"unknown reference DUT {name!r}; known: {', '.join(REFERENCE_DUTS)}")
    trs = tuple(dict.fromkeys(transports))
    if not trs or any(t not in ("udp", "tcp") for t in trs):
        raise ReferenceDutError(f"{name}: transports must be a non-empty subset of udp, tcp; got {list(trs)}")
    binary = shutil.which(spec.program)
    if binary is None:
        raise ReferenceDutError(f"{name}: '{spec.program}' is not installed (run scripts/setup.sh)")
    try:
        base = load_profile(spec.profile_path())
    except ProfileError as exc:
        raise ReferenceDutError(f"{name}: {exc}") from None
    ref = dict(base.reference or {})
    source = config or FIXTURES / str(ref.get("config", ""))
    if not source.exists():
        raise ReferenceDutError(f"{name}: configuration {source} not found")
    workdir = _fresh_dir(Path(workdir), name)
    last: ReferenceDutError | None = None
    resolves = base.role != "uas"  # the UAC and the proxies locate servers by DNS (RFC 3263 tests)
    for attempt in range(_START_ATTEMPTS):
        dns: tuple[str, int] | None = None
        if spec.program == "kamailio":
            port, ctrl_port = free_port(), None
            rundir = workdir / "run"
            rundir.mkdir(parents=True, exist_ok=True)
            argv = _kamailio_argv(base, source, port, trs, rundir)
            argv[0] = binary
            dns = resolver_address() if resolves else None
            if dns is not None:  # without root (no port 53, no mount namespace) its profile names no [dns]
                argv = _with_resolver(argv, rundir, dns)
        else:  # baresip also opens SIP/TLS on port + 1
            port = free_port(tcp_offsets=(1,))
            ctrl_port = free_port(udp=False)
            dns = (HOST, free_port()) if resolves else None
            confdir = workdir / "conf"
            _write_baresip_conf(confdir, source, port, ctrl_port, dns)
            argv = [binary, "-f", str(confdir), "-s"]
        profile = replace(base, host=HOST, port=port, transports=trs, dns_server=dns)
        if ctrl_port is not None:  # baresip-uac and -uas: kind = "baresip" (from their profiles)
            profile = replace(profile, upper_tester=replace(base.upper_tester, control=f"{HOST}:{ctrl_port}"))
        try:
            proc = ManagedProcess(argv, workdir, spec.program if attempt == 0 else f"{spec.program}-{attempt}")
        except ProcessStartError as exc:
            raise ReferenceDutError(f"{name}: {exc}") from None
        try:
            _await_ready(proc, profile, trs, time.monotonic() + ready_timeout, ctrl_port,
                         ref.get("user") if spec.program == "baresip" else None)
        except ReferenceDutError as exc:
            clash = _port_clash(proc)
            proc.stop()
            if not clash:
                raise
            last = exc
            continue
        except BaseException:  # KeyboardInterrupt while waiting: do not leave it running
            proc.stop()
            raise
        control = (HOST, ctrl_port) if ctrl_port is not None else None
        return RunningDut(profile=profile, process=proc, control=control)
    assert last is not None
    raise last
