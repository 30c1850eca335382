"""Reference DUTs: real kamailio and baresip processes the suite starts, probes and stops.

``start_reference(profile, workdir)`` receives the resolved profile of a reference DUT (its
``[reference]`` table says which program and config; its timers are the ones the tests use, after
``--sip-t1``), picks free loopback ports, writes/uses the project's configs
(``fixtures/kamailio/*.cfg``, ``fixtures/baresip/``), starts the program as a ``ManagedProcess``, and
returns once it answers a SIP OPTIONS (RFC 3261 §11) on every requested transport. Anything that goes wrong
is one ``ReferenceDutError`` whose message
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

from sipconform.dut.probe import HandshakeFailed, probe
from sipconform.dut.process import ManagedProcess, ProcessStartError
from sipconform.dut.profile import DutProfile, ReferenceSpec, TlsSpec
from sipconform.dut.secure import peer_options
from sipconform.peer.certs import ThrowawayPki
from sipconform.sip.timers import Timers

__all__ = ["FIXTURES", "ReferenceDutError", "RunningDut", "free_port", "kamailio_defines", "resolver_address",
           "start_reference", "unapplied_timers"]

FIXTURES = Path(os.environ.get("SIPCONFORM_FIXTURES") or Path(__file__).resolve().parents[3] / "fixtures")
BARESIP_MODULES = os.environ.get("SIPCONFORM_BARESIP_MODULES", "/usr/lib/baresip/modules")
HOST = "127.0.0.1"
HOST6 = "::1"
TLS_OFFSET = 1  # TLS and WSS listen on port + 1 (kamailio: its tls: listener; baresip: its SIP/TLS port)
_PROGRAM_TRANSPORTS = {"kamailio": ("udp", "tcp", "tls", "ws", "wss"), "baresip": ("udp", "tcp", "tls")}
"""What each program can be started on: kamailio's websocket module upgrades HTTP on its tcp: (WS) and tls:
(WSS) listeners; baresip 1.0 has no WebSocket transport."""
READY_TIMEOUT = 8.0  # seconds; kamailio is ready in ~0.3 s, baresip in ~0.5 s on an idle machine
_START_ATTEMPTS = 3  # a port picked free can be taken by someone else before the DUT binds it


class ReferenceDutError(RuntimeError):
    """A reference DUT could not be started or did not answer (message includes its log tail)."""


@dataclass
class RunningDut:
    """A started reference DUT: its profile (the one it was started with, at its real address), its process,
    and for baresip its control port."""

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
_FIXED_TIMERS = {"baresip": Timers()}
"""Programs whose timers cannot be set: libre (baresip) runs the RFC 3261 defaults."""


def unapplied_timers(profile: DutProfile) -> str | None:
    """Why the launcher cannot run ``profile``'s timers (a note for the report header), or None."""
    program = profile.reference.program if profile.reference else ""
    fixed = _FIXED_TIMERS.get(program)
    if fixed is None or fixed == profile.timers:
        return None
    t = profile.timers
    return (f"{program} has no timer settings: it runs T1 "
            f"{fixed.t1:g} s, T2 {fixed.t2:g} s, T4 {fixed.t4:g} s, while the tests expect T1 {t.t1:g} s, "
            f"T2 {t.t2:g} s, T4 {t.t4:g} s")


def kamailio_defines(profile: DutProfile, ref: ReferenceSpec) -> dict[str, int]:
    """The ``-A NAME=VALUE`` defines a kamailio cfg receives, from the profile's (resolved) timers: tm's
    retransmission timers T1 and T2, Timer B/F (64*T1), the INVITE's final-response wait, and T4 as tm's
    wait timer."""
    t = profile.timers
    return {"T1_MS": round(t.t1 * 1000), "T2_MS": round(t.t2 * 1000), "FR_MS": round(t.b * 1000),
            "FR_INV_MS": ref.fr_inv_ms, "WT_MS": round(t.t4 * 1000)}


def _kamailio_argv(profile: DutProfile, ref: ReferenceSpec, cfg: Path, port: int, transports: tuple[str, ...],
                   rundir: Path) -> list[str]:
    defines = kamailio_defines(profile, ref)
    argv = ["kamailio", "-f", str(cfg), "-DD", "-E", "-Y", str(rundir), "-P", str(rundir / "kamailio.pid"),
            "-m", str(ref.shm_mb), "-M", str(ref.pkg_mb)]
    for key, value in defines.items():
        argv += ["-A", f"{key}={value}"]
    sockets = {("udp", port): "udp" in transports, ("tcp", port): bool({"tcp", "ws"} & set(transports)),
               ("tls", port + TLS_OFFSET): bool({"tls", "wss"} & set(transports))}
    hosts = [HOST, f"[{HOST6}]"] if profile.host6 else [HOST]
    argv += [arg for (proto, p), wanted in sockets.items() if wanted
             for h in hosts for arg in ("-l", f"{proto}:{h}:{p}")]
    if sockets[("tls", port + TLS_OFFSET)]:
        argv += ["-A", "WITH_TLS", "-A", f'TLS_CFG="{_kamailio_tls_cfg(profile, rundir)}"']
    if {"ws", "wss"} & set(transports):
        argv += ["-A", "WITH_WS"]
    if profile.host6:
        argv += ["-A", "WITH_IPV6"]
    if not (sockets[("tcp", port)] or sockets[("tls", port + TLS_OFFSET)]):
        argv.append("-T")
    return argv


@cache
def session_pki() -> ThrowawayPki:
    """This process's throwaway CA: the reference DUTs' certificates, trusted by the peers (no key committed)."""
    return ThrowawayPki("sipconform reference DUTs' throwaway CA")


def reference_tls(profile: DutProfile, rundir: Path) -> TlsSpec:
    """The certificate a reference DUT presents and the peers trust: the profile's ``[tls]`` files, else a leaf of
    ``session_pki()`` for ``localhost``, ``127.0.0.1`` and ``::1`` written under ``rundir``."""
    if profile.tls is not None and profile.tls.cert:
        return profile.tls
    files = session_pki().write(rundir / "tls", "localhost", HOST, HOST6)
    return TlsSpec(ca=str(files.ca), cert=str(files.cert), key=str(files.key))


def _kamailio_tls_cfg(profile: DutProfile, rundir: Path) -> Path:
    """tls.cfg for the tls module: the DUT's certificate; it asks no client certificate (§26.3.2.1 would
    have a proxy check one: the profile's [tls] require_client_cert is the peers' side)."""
    spec = reference_tls(profile, rundir)
    path = rundir / "tls.cfg"
    path.write_text(
        "[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n"
        f"certificate = {spec.cert}\nprivate_key = {spec.key or spec.cert}\nca_list = {spec.ca or spec.cert}\n\n"
        "[client:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n",
        encoding="ascii")
    return path


def _baresip_tls(tls: TlsSpec | None, confdir: Path) -> str:
    """baresip's SIP/TLS lines: ``sip_certificate`` (certificate and key in one PEM) and ``sip_cafile``."""
    if tls is None or not tls.cert:
        return "# no TLS: the profile does not list it"
    both = confdir / "sip-tls.pem"
    both.write_bytes(Path(tls.cert).read_bytes() + (Path(tls.key).read_bytes() if tls.key else b""))
    both.chmod(0o600)
    return f"sip_certificate\t\t{both}\nsip_cafile\t\t{tls.ca or tls.cert}"


def _write_baresip_conf(confdir: Path, template: Path, sip_port: int, ctrl_port: int,
                        dns: tuple[str, int] | None = None, tls: TlsSpec | None = None) -> None:
    confdir.mkdir(parents=True, exist_ok=True)
    values = {"sip_listen": f"{HOST}:{sip_port}", "ctrl_listen": f"{HOST}:{ctrl_port}",
              "module_path": BARESIP_MODULES, "account_params": "", "sip_tls": _baresip_tls(tls, confdir),
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
        port = profile.port_for(tr)
        try:
            status = probe(HOST, port, tr, max(deadline - time.monotonic(), 0.0), retry_s=min(profile.timers.t1, 0.2),
                           user=user, pause=proc.pause, **peer_options(profile, tr))
        except HandshakeFailed as exc:
            raise _fail(f"{profile.name} on {HOST}:{port}: {tr.upper()} handshake failed: {exc}", proc) from None
        if status is None:
            why = "died" if not proc.running else f"did not answer OPTIONS over {tr.upper()}"
            raise _fail(f"{profile.name} on {HOST}:{port} {why}", proc)


def start_reference(profile: DutProfile, workdir: Path, *, transports: Iterable[str] | None = None,
                    config: Path | None = None, ready_timeout: float = READY_TIMEOUT) -> RunningDut:
    """Start the reference DUT ``profile`` (resolved: a ``[reference]`` table, its timers after the options)
    with its files under ``workdir``, on ``transports`` (default: the profile's).

    ``config`` overrides the kamailio cfg file / baresip template directory (tests of broken configs).
    """
    name, ref = profile.name, profile.reference
    if ref is None:
        raise ReferenceDutError(f"{name}: the profile has no [reference] table, the suite cannot start it")
    trs = tuple(dict.fromkeys(profile.transports if transports is None else transports))
    speaks = _PROGRAM_TRANSPORTS.get(ref.program, ("udp", "tcp"))
    if not trs or any(t not in speaks for t in trs):
        raise ReferenceDutError(f"{name}: {ref.program}'s transports must be a non-empty subset of "
                                f"{', '.join(speaks)}; got {list(trs)}")
    binary = shutil.which(ref.program)
    if binary is None:
        raise ReferenceDutError(f"{name}: '{ref.program}' is not installed (run scripts/setup.sh)")
    source = config or FIXTURES / ref.config
    if not source.exists():
        raise ReferenceDutError(f"{name}: configuration {source} not found")
    workdir = _fresh_dir(Path(workdir), name)
    last: ReferenceDutError | None = None
    resolves = profile.role != "uas"  # the UAC and the proxies locate servers by DNS (RFC 3263 tests)
    for attempt in range(_START_ATTEMPTS):
        dns: tuple[str, int] | None = None
        rundir = workdir / "run"
        rundir.mkdir(parents=True, exist_ok=True)
        if ref.program == "kamailio":
            port, ctrl_port = free_port(tcp_offsets=(TLS_OFFSET,)), None
            argv = _kamailio_argv(profile, ref, source, port, trs, rundir)
            argv[0] = binary
            dns = resolver_address() if resolves else None
            if dns is not None:  # without root (no port 53, no mount namespace) its profile names no [dns]
                argv = _with_resolver(argv, rundir, dns)
        else:  # baresip also opens SIP/TLS on port + 1
            port = free_port(tcp_offsets=(1,))
            ctrl_port = free_port(udp=False)
            dns = (HOST, free_port()) if resolves else None
            confdir = workdir / "conf"
            _write_baresip_conf(confdir, source, port, ctrl_port, dns,
                                reference_tls(profile, rundir) if "tls" in trs else None)
            argv = [binary, "-f", str(confdir), "-s"]
        # baresip-uac and -uas: kind = "baresip" (from their profiles), controlled on ctrl_port
        secure = {"tls", "wss"} & set(trs)
        started = replace(profile, transports=trs).with_address(
            HOST, port, dns_server=dns, control=None if ctrl_port is None else f"{HOST}:{ctrl_port}",
            ports={tr: port + TLS_OFFSET for tr in secure}, host6=HOST6 if profile.host6 else None,
            tls=reference_tls(profile, rundir) if secure else None)
        try:
            proc = ManagedProcess(argv, workdir, ref.program if attempt == 0 else f"{ref.program}-{attempt}")
        except ProcessStartError as exc:
            raise ReferenceDutError(f"{name}: {exc}") from None
        try:
            _await_ready(proc, started, trs, time.monotonic() + ready_timeout, ctrl_port,
                         ref.user if ref.program == "baresip" else None)
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
        return RunningDut(profile=started, process=proc, control=control)
    assert last is not None
    raise last
