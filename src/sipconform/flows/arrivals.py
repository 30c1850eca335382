"""What reached the peers, and when: queries over what a peer received (retransmissions its transactions
absorbed and input it could not accept included) and bounded waits for it. Role-neutral; no judgement."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sipconform.peer import NoMessage, Received, SipPeer
from sipconform.sip import Message, Request

__all__ = ["arrival", "await_copies", "await_first", "await_request", "copies", "refused", "same_request",
           "transmission_times", "unparseable"]


def copies(peer: SipPeer, match: Callable[[Message], bool]) -> list[Received]:
    """Everything ``peer`` received that satisfies ``match``, retransmissions absorbed by its
    transactions included (they never reach the inbox, but the peer records them)."""
    return [item for item in peer.received() if item.message is not None and match(item.message)]


def await_copies(peer: SipPeer, match: Callable[[Message], bool], count: int, within: float,
                 *, stop: Callable[[], bool] | None = None) -> list[Received]:
    """Pump the test's reactor until ``count`` copies satisfying ``match`` were received, ``stop()``
    holds, or ``within`` seconds pass; return the copies seen."""
    peer.wait_until(lambda: len(copies(peer, match)) >= count or (stop is not None and stop()), within)
    return copies(peer, match)


def same_request(request: Request) -> Callable[[Message], bool]:
    """Copies of ``request`` (its retransmissions): same method, Call-ID and top Via branch."""
    branch = request.top_via.branch

    def match(m: Message) -> bool:
        return (isinstance(m, Request) and m.method == request.method and m.call_id == request.call_id
                and m.top_via.branch == branch)
    return match


def transmission_times(peer: SipPeer, request: Request) -> list[float]:
    """When each copy of ``request`` reached ``peer`` (seconds since the test's start), in order."""
    return [item.time for item in copies(peer, same_request(request))]


def arrival(peer: SipPeer, message: Message) -> Received:
    """How ``message`` (as returned by an ``expect_*``) reached ``peer``: source, transport, connection, time."""
    for item in peer.received():
        if item.message is message:
            return item
    raise KeyError(f"{peer.name}: that message was not received by this peer")


def unparseable(peer: SipPeer, method: str) -> list[Received]:
    """Input ``peer`` could not accept (unparseable or lacking a mandatory header) that starts like a
    ``method`` request: what a test of that header looks for when the expected request never came."""
    start = f"{method} ".encode()
    return [item for item in peer.received() if item.error is not None and item.raw.startswith(start)]


def refused(peers: Sequence[SipPeer], method: str) -> str:
    """``"; the one that came could not be accepted: <error>"`` when one of ``peers`` got input starting like
    a ``method`` request that it could not accept (see ``unparseable``), else ``""``."""
    broken = [item for p in peers for item in unparseable(p, method)]
    return f"; the one that came could not be accepted: {broken[0].error}" if broken else ""


def await_first(peers: Sequence[SipPeer], method: str, within: float,
                where: Callable[[Request], bool] | None = None, *,
                until_refused: bool = False) -> tuple[SipPeer, Request] | None:
    """The first of ``peers`` to receive a ``method`` request (with ``where``) and that request, or None;
    ``until_refused``: None at once when input that starts like a ``method`` request could not be accepted
    (see ``refused``: the request awaited came, malformed, and its retransmissions will be no better)."""
    def ready() -> SipPeer | None:
        for p in peers:
            if any(isinstance(m, Request) and m.method == method and (where is None or where(m))
                   for m in p.unconsumed()):
                return p
        return None

    def settled() -> bool:
        return ready() is not None or (until_refused and bool(refused(peers, method)))

    if not peers or not peers[0].wait_until(settled, within):
        return None
    found = ready()
    if found is None:
        return None
    return found, found.expect_request(method, within=0, where=where)


def await_request(peers: Sequence[SipPeer], method: str, *, within: float | None = None,
                  where: Callable[[Request], bool] | None = None) -> tuple[SipPeer, Request]:
    """``await_first`` (default wait: Timer B of the first peer), or ``NoMessage`` naming the peers and a
    request that came but could not be accepted."""
    found = await_first(peers, method, peers[0].timers.b if within is None else within, where, until_refused=True)
    if found is None:
        raise NoMessage(f"no {method} reached {' or '.join(p.name for p in peers)}{refused(peers, method)}")
    return found
