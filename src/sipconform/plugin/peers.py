"""Peers for the plugin's fixtures: a factory that makes a test's peers, and their merged wire trace."""

from __future__ import annotations

import hashlib
import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from sipconform.dut.profile import DutProfile
from sipconform.sip.timers import Timers

__all__ = ["PEERS_KEY", "PeerFactory", "bad_input", "id_prefix", "local_host_for", "render_trace"]

PEERS_KEY = pytest.StashKey[list[Any]]()
"""``item.stash[PEERS_KEY]``: every peer a test made, in order; the wire trace is read from them."""


def id_prefix(worker: str, nodeid: str) -> str:
    """Branch/tag/Call-ID prefix: the xdist worker plus a short hash of the test's node id, so
    workers and tests never collide and a test's identifiers are recognisable run after run."""
    return f"{worker}-{hashlib.sha1(nodeid.encode(), usedforsecurity=False).hexdigest()[:8]}"


def local_host_for(dut_host: str) -> str:
    """The local address to bind so the DUT can reach us: loopback for a loopback DUT, else the
    address the kernel routes towards the DUT from (a UDP connect sends nothing)."""
    try:
        ip = ipaddress.ip_address(dut_host.strip("[]"))
    except ValueError:
        ip = None
    if dut_host == "localhost" or (ip is not None and ip.is_loopback):
        return "::1" if ip is not None and ip.version == 6 else "127.0.0.1"
    family = socket.AF_INET6 if ip is not None and ip.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((dut_host.strip("[]"), 9))
            return str(probe.getsockname()[0])
    except OSError:
        return "127.0.0.1"


class PeerFactory:
    """Makes the test's ``SipPeer``s: ``with factory(transport=None, name="peer") as peer:``.

    Each peer binds an ephemeral port on ``transport`` (default: the test's), speaks TLS and WebSocket as the
    DUT's ``[tls]`` and ``[ws]`` say (``dut.secure``; session keys to ``keylog``), has the DUT's timers,
    ``remote`` set to the DUT and an ``id_prefix`` unique to the test; all peers of one test share
    one ``Reactor``. Every peer stays registered for the wire trace after it is closed."""

    def __init__(self, *, dut: DutProfile, transport: str, timers: Timers, prefix: str, peers: list[Any],
                 keylog: Path | None = None) -> None:
        self.dut = dut
        self.keylog = keylog
        self.transport = transport
        self.timers = timers
        self.prefix = prefix
        self.peers = peers
        self._reactor: Any = None
        self._host = local_host_for(dut.host)

    @property
    def reactor(self) -> Any:
        """The test's reactor, made with the first peer."""
        if self._reactor is None:
            from sipconform.peer import Reactor

            self._reactor = Reactor()
        return self._reactor

    def make(self, transport: str | None = None, *, name: str | None = None, **kwargs: Any) -> Any:
        """A new open peer (the caller closes it, or ``close()`` does at teardown)."""
        from sipconform.dut.secure import peer_options
        from sipconform.peer import SipPeer

        chosen = transport or self.transport
        for key, value in peer_options(self.dut, chosen, self.keylog).items():
            kwargs.setdefault(key, value)
        taken = {getattr(p, "name", None) for p in self.peers}
        base = name or "peer"
        name = base if base not in taken else next(f"{base}{n}" for n in range(2, 10_000) if f"{base}{n}" not in taken)
        peer = SipPeer(chosen, timers=self.timers, host=self._host, reactor=self.reactor,
                       name=name, id_prefix=self.prefix, **kwargs)
        peer.remote = (self.dut.host, self.dut.port)
        self.peers.append(peer)
        return peer

    @contextmanager
    def __call__(self, transport: str | None = None, *, name: str | None = None, **kwargs: Any) -> Iterator[Any]:
        peer = self.make(transport, name=name, **kwargs)
        try:
            yield peer
        finally:
            peer.close()

    def close(self) -> None:
        """Close every peer, then the shared reactor (idempotent)."""
        errors: list[BaseException] = []
        for peer in self.peers:
            try:
                peer.close()
            except Exception as exc:  # noqa: BLE001 - close every peer, then raise the first failure
                errors.append(exc)
        if self._reactor is not None:
            self._reactor.close()
            self._reactor = None
        if errors:
            raise errors[0]


def render_trace(peers: list[Any]) -> str | None:
    """The merged, time-ordered wire trace of ``peers`` (None when the test made no peer)."""
    if not peers:
        return None
    logs = [p.wire for p in peers]
    try:
        from sipconform.peer.wirelog import merge, render_records
    except ImportError:
        return "\n\n".join(log.render_text() for log in logs)
    return str(render_records(merge(*logs)))


def bad_input(peers: list[Any]) -> str:
    """What the DUT sent ``peers`` that breaks SIP's grammar or could not be parsed (bytes that never formed a
    message too), input over the suite's own limit, and when the DUT closed a connection, for the verdict
    message to name whatever the verdict ("" when there is none): nothing a DUT sends is read silently."""
    from sipconform.peer.wirelog import closings, findings, merge, over_limit

    records = merge(*(p.wire for p in peers))
    found, too_large, closed = findings(records), over_limit(records), closings(records)
    return " ".join([*([f"Malformed input from the DUT: {'; '.join(found)}."] if found else []),
                     *([f"Larger than the suite's limit (not a fault of the DUT): {'; '.join(too_large)}."]
                       if too_large else []),
                     *([f"The DUT {', '.join(closed)}."] if closed else [])])
