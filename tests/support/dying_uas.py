"""A tiny UDP UAS that dies: answers OPTIONS (200) and INVITE (100, 180; CANCEL: 200 + 487), then exits.

``python3 dying_uas.py PORTFILE [--lifetime S] [--max-messages N]``: binds 127.0.0.1:0, writes its port to
PORTFILE, and exits after S seconds or after answering N requests, whichever comes first (so "dies right
after the start-up probe" is ``--max-messages 1``). Stdlib only; loopback only; bounded.
"""

from __future__ import annotations

import argparse
import re
import select
import socket
import time
from pathlib import Path


def _header(msg: str, name: str) -> str:
    found = re.search(rf"^{name}:[ \t]*(.*?)\r$", msg, re.I | re.M)
    return found.group(1) if found else ""


def _response(req: str, status: str, to_tag: bool = True) -> bytes:
    to = _header(req, "To") + (";tag=dying" if to_tag and ";tag=" not in _header(req, "To") else "")
    vias = "".join(f"Via: {v}\r\n" for v in re.findall(r"^Via:[ \t]*(.*?)\r$", req, re.I | re.M))
    return (f"SIP/2.0 {status}\r\n{vias}From: {_header(req, 'From')}\r\nTo: {to}\r\n"
            f"Call-ID: {_header(req, 'Call-ID')}\r\nCSeq: {_header(req, 'CSeq')}\r\n"
            f"Content-Length: 0\r\n\r\n").encode()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("portfile")
    ap.add_argument("--lifetime", type=float, default=60.0)
    ap.add_argument("--max-messages", type=int, default=10_000)
    args = ap.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    Path(args.portfile).write_text(str(sock.getsockname()[1]))
    end = time.monotonic() + args.lifetime
    invites: dict[str, str] = {}
    answered = 0
    while answered < args.max_messages and (left := end - time.monotonic()) > 0:
        if not select.select([sock], [], [], left)[0]:
            break
        data, source = sock.recvfrom(65535)
        req = data.decode("utf-8", "replace")
        method = req.split(" ", 1)[0]
        if method == "OPTIONS":
            sock.sendto(_response(req, "200 OK"), source)
        elif method == "INVITE":
            invites[_header(req, "Call-ID")] = req
            sock.sendto(_response(req, "100 Trying", to_tag=False), source)
            sock.sendto(_response(req, "180 Ringing"), source)
        elif method == "CANCEL":
            sock.sendto(_response(req, "200 OK"), source)
            if (invite := invites.pop(_header(req, "Call-ID"), None)) is not None:
                sock.sendto(_response(invite, "487 Request Terminated"), source)
        else:
            continue
        answered += 1
    sock.close()


if __name__ == "__main__":
    main()
