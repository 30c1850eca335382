"""A faulty device's upper tester: a loopback TCP control socket served by the device's own reactor, and
the client an exec profile runs to pull it: ``python tests/support/faulty/control.py PORT reject``.

One word a connection; the device acts on it in its own thread and replies one line (``ok`` or why not)
before the client exits, so when the exec upper tester returns, what the word made the device send is
on the wire. Standard library only: the file is run as a script as well as imported.
"""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Callable
from pathlib import Path

HOST = "127.0.0.1"
WORDS = ("reject",)
"""What the upper tester can tell the device: ``reject`` the incoming call that rings (§15)."""


def listen(register: Callable[[socket.socket, Callable[[], None]], None], on_word: Callable[[str], str]) -> socket.socket:
    """Open the control socket and ``register`` it (a reactor's) so each word goes to ``on_word``."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind((HOST, 0))
    server.listen(4)
    server.setblocking(False)

    def accept() -> None:
        conn, _ = server.accept()
        with conn:
            conn.settimeout(1.0)
            try:
                word = conn.recv(64).decode(errors="replace").strip()
                conn.sendall(on_word(word).encode() + b"\n")
            except OSError:
                pass

    register(server, accept)
    return server


def profile_toml(port: int) -> str:
    """The ``[upper_tester]`` table of a profile whose exec actions pull this device's control socket."""
    me = str(Path(__file__).resolve())
    actions = "".join(f"{word} = {json.dumps([sys.executable, me, str(port), word])}\n" for word in WORDS)
    return f'[upper_tester]\nkind = "exec"\n{actions}'


def command(port: int, word: str, timeout: float = 5.0) -> int:
    """Tell the device ``word`` and print its reply; non-zero if it did not act."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.sendall(word.encode() + b"\n")
            reply = sock.recv(256).decode(errors="replace").strip()
    except OSError as exc:
        print(f"control port {port}: {exc}", file=sys.stderr)
        return 2
    print(reply)
    return 0 if reply == "ok" else 1


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[2] not in WORDS:
        sys.exit(f"usage: {sys.argv[0]} PORT {{{'|'.join(WORDS)}}}")
    sys.exit(command(int(sys.argv[1]), sys.argv[2]))
