"""Acting through the upper tester (DESIGN.md, "Upper tester"): the one way a flow makes the DUT call, hang
up, re-INVITE, cancel or reject, for every role. An action the upper tester cannot take raises
``NoUpperTester``, a ``NoMessage``: what the step awaited will not come. No judgement.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

from sipconform.dut.upper_tester import UpperTesterMissing
from sipconform.peer import NoMessage, SipPeer

__all__ = ["NoUpperTester", "act"]


class NoUpperTester(NoMessage):
    """The upper tester cannot make the DUT act (the profile names no way to): what the step awaited
    cannot come."""


def act(action: Callable[[], None], what: str, *, listening: SipPeer | None = None) -> None:
    """Run an upper tester action; one the upper tester cannot do raises ``NoUpperTester``. ``listening``: the
    peer goes on receiving while the action runs (an exec upper tester waits for its hang-up command, and the
    DUT acts before the command ends), so what the DUT sends meanwhile is read, and timed, as it arrives."""
    try:
        if listening is None:
            action()
        else:
            _while_listening(action, listening)
    except UpperTesterMissing as exc:
        raise NoUpperTester(f"no upper tester to make the DUT {what}: {exc}") from None


def _while_listening(action: Callable[[], None], peer: SipPeer) -> None:
    """Run ``action`` in a thread while ``peer`` pumps the reactor; woken by a byte on a socket pair when the
    action ends (bounded by Timer B, then by the upper tester's own timeout); its exception is raised here."""
    wake, signal = socket.socketpair()
    ended: list[BaseException | None] = []

    def run() -> None:
        try:
            action()
            ended.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread, raised there
            ended.append(exc)
        finally:
            signal.send(b"\0")

    def drain() -> None:
        wake.recv(1)

    peer.reactor.register(wake, drain)
    worker = threading.Thread(target=run, name="upper tester action", daemon=True)
    try:
        worker.start()
        peer.wait_until(lambda: bool(ended), peer.timers.b)
        worker.join()
    finally:
        peer.reactor.unregister(wake)
        wake.close()
        signal.close()
    if ended and ended[0] is not None:
        raise ended[0]
