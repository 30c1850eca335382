"""Public hooks of ``SipPeer`` for a device that breaks the rules on purpose (the project's faulty DUTs):
look up, forget or feed a transaction, send outside any transaction, reach into the inbox, move the TCP
listener. The suite's own tests never need them; a self-test device uses them instead of private state.
"""

from __future__ import annotations

from sipconform.peer.core import PeerCore, TransactionEntry
from sipconform.peer.inbox import Received
from sipconform.peer.transport import Address, TcpTransport
from sipconform.sip.errors import ParseError
from sipconform.sip.matching import transaction_key
from sipconform.sip.message import Message, Request, Response
from sipconform.sip.transaction import ServerTransaction, TransactionError

__all__ = ["PeerHooks"]


class PeerHooks(PeerCore):
    """The hooks (``on_stray`` and ``on_absorbed``, callbacks, are ``PeerCore``'s)."""

    def transaction_of(self, msg: Message, *, client: bool = False) -> TransactionEntry | None:
        """The server (or ``client``) transaction ``msg`` belongs to (§17.2.3, §17.1.3), if it still lives."""
        try:
            if client:
                return self._clients.get((msg.top_via.branch, msg.cseq.method))
            if isinstance(msg, Request):
                return self._servers.get(transaction_key(msg))
            return next((e for e in self._servers.values() if (msg.top_via.branch, msg.cseq.method)
                         == (e.tx.request.top_via.branch, e.tx.request.cseq.method)), None)
        except ParseError:
            return None

    def transactions(self) -> list[TransactionEntry]:
        """Every live transaction, clients first."""
        return self._entries()

    def respond_with(self, req: Request, response: Response, *, retransmit: bool | None = None) -> bool:
        """Send a ready (perhaps edited) ``response`` through ``req``'s server transaction; False if no live
        transaction takes it (then nothing is sent)."""
        entry = self.transaction_of(req)
        if entry is None or not isinstance(entry.tx, ServerTransaction):
            return False
        try:
            actions = entry.tx.respond(response, self.clock.now(), retransmit=retransmit)
        except TransactionError:
            return False
        self._execute(entry, actions, strict=True)
        return True

    def send_outside(self, msg: Message, dest: Address, *, new_connection: bool = False) -> None:
        """Send ``msg`` once to ``dest``, outside any transaction (TCP: on a ``new_connection`` if asked)."""
        conn = self._t.connect(dest) if new_connection and isinstance(self._t, TcpTransport) else None
        self._transmit(msg, dest, conn, note="sent outside any transaction", strict=True)

    def waiting(self) -> list[Received]:
        """What was passed up and not yet taken, in order of arrival."""
        return list(self._inbox)

    def take(self, item: Received) -> Message:
        """Take ``item`` (from ``waiting()``) out of the inbox."""
        return self._inbox.take(item)

    def inject(self, item: Received) -> None:
        """Pass ``item`` up (again), as if a transaction had delivered it."""
        self._inbox.put(item)

    def timed_out(self, branch: str | None, method: str) -> str | None:
        """What happened if the client transaction (``branch``, ``method``) timed out (Timer B or F), else None."""
        return self._timed_out.get((branch, method))

    def close_connection_to(self, dest: Address) -> None:
        """TCP: close the open connection to ``dest`` (the next send to it opens another)."""
        conn = self._t.connection_to(dest) if isinstance(self._t, TcpTransport) else None
        if conn is not None:
            conn.close()

    def listen_on(self, port: int) -> None:
        """TCP: move the listening socket to ``port`` (so that UDP and TCP share one port number)."""
        if isinstance(self._t, TcpTransport):
            self._t.listen_on(port)

