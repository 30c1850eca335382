"""The faulty UAC's command line, as its exec profile runs it: ``python tests/support/faulty/uac_main.py call
--uri {uri} --host {host} --port {port} --transport {transport} --control FILE [--fault NAME]`` places one call
(``faulty.uac``); ``hangup``, ``reinvite``, ``cancel`` ``--control FILE`` tell that call process what the user
does. ``profile_toml`` writes the exec profile of a variant.
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script (by the exec profile): ``faulty`` importable from here on
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from faulty.uac import FAULTS, TIMERS_S, Uac  # noqa: E402


def profile_toml(name: str, control: Path, fault: str | None = None, dns: tuple[str, int] | None = None) -> str:
    """An exec profile for this UAC (``fault`` None: the conformant one); ``control`` is a file path. ``dns``:
    the DNS server it resolves domain names through (RFC 3263; default: a port free now on 127.0.0.1)."""
    from sipconform.dut.reference import free_port

    me = Path(__file__).resolve()
    host, port = dns or ("127.0.0.1", free_port())
    call = [sys.executable, str(me), "call", "--uri", "{uri}", "--host", "{host}", "--port", "{port}",
            "--transport", "{transport}", "--control", str(control), "--dns", f"{host}:{port}"
            ] + (["--fault", fault] if fault else [])
    actions = "".join(f"{word} = {_toml_list([sys.executable, str(me), word, '--control', str(control)])}\n"
                      for word in COMMANDS)
    timers = "".join(f"{k} = {v}\n" for k, v in TIMERS_S.items())
    return (f'name = "{name}"\nrole = "uac"\nhost = "127.0.0.1"\nport = 0\ntransports = ["udp", "tcp"]\n\n'
            f"[timers]\n{timers}\n[dns]\nserver = \"{host}:{port}\"\n\n"
            f"[upper_tester]\nkind = \"exec\"\ncall = {_toml_list(call)}\n{actions}")


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join('"' + i.replace("\\", "\\\\").replace('"', '\\"') + '"' for i in items) + "]"


COMMANDS = ("hangup", "reinvite", "cancel")
"""What the upper tester can tell a call process, one word a line over its control socket."""


def command(control: Path, word: str, timeout: float = 5.0) -> int:
    """Tell the call process to ``word`` (hang up, re-INVITE, cancel the re-INVITE); a call that already
    ended is not an error."""
    try:
        port = int(control.read_text(encoding="ascii").strip())
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(word.encode() + b"\n")
            sock.settimeout(timeout)
            reply = sock.recv(64)
    except (OSError, ValueError):
        print(f"no call to {word}")
        return 0
    print(reply.decode(errors="replace").strip())
    return 0


def _terminate(*_: object) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A conformant or faulty SIP UAC for sipconform's self-tests.")
    sub = parser.add_subparsers(dest="command", required=True)
    call = sub.add_parser("call")
    for name in ("--uri", "--host", "--port", "--transport", "--control"):
        call.add_argument(name, required=True)
    call.add_argument("--fault", choices=sorted(FAULTS), default=None)
    call.add_argument("--dns", default=None, help="HOST:PORT of the DNS server for RFC 3263 lookups")
    for word in COMMANDS:
        sub.add_parser(word).add_argument("--control", required=True)
    args = parser.parse_args(argv)
    if args.command in COMMANDS:
        return command(Path(args.control), args.command)
    uac = Uac(args)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        uac.run(lifetime=200 * uac.timers.t1)
    finally:
        uac.close()
        from sipconform.peer.wirelog import render_records

        print(render_records(uac.peer.wire.records), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
