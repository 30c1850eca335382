"""The faulty UAS's machinery: one UDP and one TCP ``SipPeer`` on the same port number sharing a
``Reactor``, pumped by a thread of the device's own until ``stop()``; the control socket of its exec
upper tester (``control``); its profile and wire log.

``DeviceLoop`` knows nothing of SIP's methods: each request goes to ``on_request``, each word of the
upper tester to ``on_control``, and every ``tick`` (at most T1) to ``tend(now)``, all left to the TU
(``tu.FaultyUas``).
"""

from __future__ import annotations

import socket
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sipconform.peer import Reactor, SendError, SipPeer
from sipconform.peer.wirelog import merge, render_records
from sipconform.sip import Request, Timers
from sipconform.sip.errors import SipError
from sipconform.sip.transaction import TransactionError

from . import control
from .sending import listen_tcp_on

TIMERS = Timers(t1=0.05, t2=0.4, t4=0.5)
"""Small timers: every 64*T1 wait of a self-test is 3.2 s."""


class DeviceLoop:
    """UDP and TCP peers on ``host`` (one ephemeral port) and the thread that serves them.

    ``errors`` lists tracebacks of the device's own code (a self-test asserts it stays empty);
    ``peer_errors`` what the SipPeer machinery raised while pumping; ``notes`` what the network did to it
    (a send refused because a test's peer was gone). ``later(when, what)`` runs ``what`` at ``when``.
    """

    name = "device"

    def __init__(self, *, host: str, timers: Timers) -> None:
        self.host = host
        self.timers = timers
        self.tick = timers.t1          # the longest the thread goes without looking at the stop flag
        self.errors: list[str] = []
        self.peer_errors: list[str] = []
        self.notes: list[str] = []
        self.reactor: Reactor | None = None
        self.peers: list[SipPeer] = []
        self.control: socket.socket | None = None
        self._later: list[tuple[float, Callable[[], object]]] = []
        self._stop = threading.Event()
        self._stopped = False
        self._thread: threading.Thread | None = None

    # -- what the TU provides ----------------------------------------------------------------------------
    def peer_options(self) -> dict[str, Any]:
        """Extra ``SipPeer`` keyword arguments (Via rules)."""
        return {}

    def on_request(self, peer: SipPeer, req: Request) -> None:
        raise NotImplementedError

    def tend(self, now: float) -> None:
        """Called at least every ``tick``: timers of the TU's own."""

    def on_control(self, word: str) -> str:
        """A word of the upper tester (``control.WORDS``); the reply is ``ok`` or why the device did not act."""
        return f"unknown word {word!r}"

    def capabilities_toml(self) -> str:
        return ""

    # -- life cycle ------------------------------------------------------------------------------------
    def __enter__(self) -> DeviceLoop:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if not self.peers:
            raise RuntimeError("the device is not started")
        return self.peers[0].address[1]

    def start(self) -> Any:
        if self._thread is not None:
            raise RuntimeError("already started")
        self.reactor = Reactor()
        self.peers = self._bind_one_port()
        self.control = control.listen(self.reactor.register, self._on_control)
        self._thread = threading.Thread(target=self._run, name=f"sip-{self.name}", daemon=True)
        self._thread.start()
        return self

    def _bind_one_port(self) -> list[SipPeer]:
        """A UDP and a TCP peer on one port number (a TCP port equal to a free UDP one is nearly always free)."""
        for _attempt in range(50):
            udp, tcp = (SipPeer(transport, timers=self.timers, host=self.host, reactor=self.reactor,
                                name=f"dut-{transport}", id_prefix=self.name, **self.peer_options())
                        for transport in ("udp", "tcp"))
            try:
                listen_tcp_on(tcp, udp.address[1])
            except OSError:
                udp.close()
                tcp.close()
                continue
            return [udp, tcp]
        raise OSError("no port number free for both UDP and TCP after 50 attempts")

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (it looks at the flag at least every T1) and close the sockets (idempotent).

        Closing a ``SipPeer`` answers the INVITEs still pending 480 (the peer's own teardown)."""
        self._stop.set()
        if self._stopped:
            return
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self.errors.append(f"the device thread did not stop within {timeout} s")
                return
        self._stopped = True
        if self.control is not None and self.reactor is not None:
            self.reactor.unregister(self.control)
            self.control.close()
        for peer in self.peers:
            peer.close()
        if self.reactor is not None:
            self.reactor.close()

    def request_stop(self) -> None:
        """Ask the thread to stop (safe from a signal handler); ``stop()`` then closes the sockets."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ``stop()`` was called (for the command line); True if it was."""
        return self._stop.wait(timeout)

    def later(self, when: float, what: Callable[[], object]) -> None:
        self._later.append((when, what))

    # -- profile and trace -------------------------------------------------------------------------------
    def profile_toml(self, targets: dict[str, str]) -> str:
        t = self.timers
        users = "".join(f'{behaviour} = "{user}"\n' for behaviour, user in targets.items())
        return (f'name = "{self.name}"\nrole = "uas"\nhost = "{self.host}"\nport = {self.port}\n'
                f'transports = ["udp", "tcp"]\n\n[capabilities]\n{self.capabilities_toml()}\n'
                f'[timers]\nt1 = {t.t1}\nt2 = {t.t2}\nt4 = {t.t4}\n\n[targets]\n{users}\n'
                f'{control.profile_toml(self.control.getsockname()[1]) if self.control else ""}')

    def trace(self) -> str:
        """The device's wire log, both transports merged (read it after ``stop()``)."""
        return str(render_records(merge(*(p.wire for p in self.peers))))

    # -- the thread ------------------------------------------------------------------------------------
    def _run(self) -> None:
        assert self.reactor is not None
        reactor = self.reactor
        while not self._stop.is_set():
            try:
                wake = min([reactor.now() + self.tick, *(when for when, _ in self._later)])
                reactor.run_until(self._has_work, wake)
                self._drain()
                self._run_due(reactor.now())
                self.tend(reactor.now())
            except (TransactionError, SendError) as exc:
                # Raised inside the peer's own timer handling, not by this device's code: e.g. a 2xx
                # retransmitted (Timer G in "Accepted") to a TCP peer that has gone away, where the INVITE
                # server table has no transport-error row. Kept apart so a self-test can tell the two.
                text = f"{type(exc).__name__}: {exc}"
                if text not in self.peer_errors:
                    self.peer_errors.append(text)
            except Exception:  # a bug of ours: record it, keep serving (bounded)
                self.errors.append(traceback.format_exc())
                if len(self.errors) > 50:
                    return

    def _on_control(self, word: str) -> str:
        """``on_control`` in the device thread (the reactor's), its errors recorded like a request's."""
        try:
            return self.on_control(word)
        except (SendError, OSError, SipError) as exc:
            self.notes.append(f"control {word!r}: {exc}")
            return f"could not {word}: {exc}"
        except Exception:
            self.errors.append(f"control {word!r}:\n{traceback.format_exc()}")
            return f"could not {word}: the device raised"

    def _has_work(self) -> bool:
        return self._stop.is_set() or any(p.unconsumed() for p in self.peers)

    def _drain(self) -> None:
        for peer in self.peers:
            for msg in peer.unconsumed():
                if not isinstance(msg, Request):
                    peer.expect_response(within=0)  # a response to nothing we sent: drop it
                    continue
                req = peer.expect_request(within=0, where=lambda m, msg=msg: m is msg)
                try:
                    self.on_request(peer, req)
                except (SendError, OSError) as exc:
                    self.notes.append(f"{req.start_line}: {exc}")
                except SipError as exc:  # a request we cannot read the fields of
                    self.notes.append(f"{req.start_line}: {exc}")
                    reason = str(exc)[:60].replace("\r", " ").replace("\n", " ")
                    self.attempt(lambda: peer.respond(req, 400, reason))
                except Exception:
                    self.errors.append(f"handling {req.start_line}:\n{traceback.format_exc()}")

    def _run_due(self, now: float) -> None:
        due = [item for item in self._later if item[0] <= now]
        self._later = [item for item in self._later if item[0] > now]
        for _, what in due:
            self.attempt(what)

    def attempt(self, send: Callable[[], object]) -> None:
        """Send, noting (not raising) what the network refused."""
        try:
            send()
        except (SendError, OSError, SipError) as exc:
            self.notes.append(str(exc))


def write_text(path: str | Path, text: str) -> Path:
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path
