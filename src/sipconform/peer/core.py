"""The I/O half of ``SipPeer``: transport events in, transactions driven, actions carried out.

Incoming bytes are parsed, written to the wire log, and routed: a response to the client
transaction it matches (§17.1.3), a request to its server transaction (§17.2.3) or to a new one. What a
transaction passes up goes to the inbox; what it absorbs stays in the wire log only. Nothing here
raises on bad input from the remote: it is recorded (unparseable input, and the malformations of what
parsed) and surfaced by ``check()`` and the wire log's ``findings``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Callable, Hashable, Union

from sipconform.peer.ids import IdSource
from sipconform.peer.inbox import Inbox, Received
from sipconform.peer.reactor import Reactor
from sipconform.peer.tls import TlsConfig
from sipconform.peer.transport import (
    Address, Connection, ConnectionClosed, ConnectionFailed, ConnectionOpened, ConnectionReady, Packet, SendFailed,
    StreamBroken, TransportEvent,
)
from sipconform.peer.transports import Transport, open_transport
from sipconform.peer.websocket import WsConfig
from sipconform.peer.wirelog import WireLog, WireRecord
from sipconform.sip.errors import ParseError
from sipconform.sip.malformations import malformations
from sipconform.sip.matching import cancel_matches, transaction_key
from sipconform.sip.message import Message, Request, Response
from sipconform.sip.parse import parse_message
from sipconform.sip.timers import Timers
from sipconform.sip.transports import default_port
from sipconform.sip.via import response_address
from sipconform.sip.transaction import (
    Absorb, Action, ClientTransaction, Deliver, Send, ServerTransaction, State, Terminated, Timeout,
    TransactionError, TransportFailure,
)

__all__ = ["PeerCore", "SendError"]

Transaction = Union[ClientTransaction, ServerTransaction]


class SendError(ConnectionError):
    """A message the test asked to send could not be sent (connection refused, message too big)."""


@dataclass
class _Tx:
    """A transaction and where its messages go: ``dest`` (UDP address / TCP remote) and ``conn``."""

    tx: Transaction
    dest: Address
    conn: Connection | None
    tag: str | None = None  # server side: the To tag of this transaction's responses (§8.2.6.2)
    source: Address | None = None  # server side: where the request came from


@dataclass
class _Drop:
    match: Callable[[Message], bool]
    remaining: int


class PeerCore:
    """Transport, transactions, inbox and wire log of one peer (see ``SipPeer`` for the test API)."""

    def __init__(self, transport: str, *, timers: Timers, host: str, reactor: Reactor | None, name: str,
                 id_prefix: str, max_size: int, send_trying: bool, via_params: tuple[str, ...] = (),
                 route_by_via: bool = False, tls: TlsConfig | None = None, ws: WsConfig | None = None) -> None:
        self.transport = transport
        self.timers = timers
        self.name = name
        self.max_size = max_size
        self.send_trying = send_trying
        self.via_params = via_params      # server side: Via parameters stamped on responses (§18.2.1, RFC 3581)
        self.route_by_via = route_by_via  # server side: responses go per §18.2.2 / RFC 3581, not to the source
        self.ids = IdSource(id_prefix)
        self._own_reactor = reactor is None
        self.reactor = reactor if reactor is not None else Reactor()
        self.clock = self.reactor.clock
        self.wire = WireLog(self.clock, start=self.reactor.started_at, peer=name)
        self.timeouts: list[str] = []          # transactions that gave up (Timer B, F, H)
        self._timed_out: dict[tuple[str | None, str], str] = {}  # client transaction key -> what happened
        self._inbox = Inbox()
        self._received: list[Received] = []
        self._errors: list[Received] = []
        self._clients: dict[tuple[str | None, str], _Tx] = {}
        self._servers: dict[Hashable, _Tx] = {}
        self._tags: dict[Hashable, str] = {}
        self._acks_2xx: dict[tuple[str, int, str | None], tuple[Request, Address]] = {}
        self._drops: list[_Drop] = []
        self._seq = itertools.count(1)
        self._closed = False
        self.transport_failures: list[str] = []  # handshakes that failed (TLS, WebSocket), one line each
        self._t: Transport = open_transport(transport, host, self.reactor, self._on_event, max_size=max_size,
                                            timeout=timers.b, tls=tls, ws=ws)
        self.reactor.add_source(self)

    @property
    def address(self) -> Address:
        return self._t.address

    # -- reactor interface ---------------------------------------------------------------------------------
    def next_deadline(self) -> float | None:
        deadlines = [d for e in self._entries() if (d := e.tx.next_deadline()) is not None]
        return min(deadlines, default=None)

    def on_timers(self, now: float) -> None:
        for entry in self._entries():
            self._execute(entry, entry.tx.advance(now))

    def _entries(self) -> list[_Tx]:
        return [*self._clients.values(), *self._servers.values()]

    # -- input ---------------------------------------------------------------------------------------------
    def _on_event(self, ev: TransportEvent) -> None:
        local = self.address
        if isinstance(ev, Packet):
            self._on_packet(ev)
        elif isinstance(ev, StreamBroken):
            conn = ev.connection
            self._record_error(ev.error, ev.data, conn.remote, conn, note="stream cannot be framed; connection closed")
        elif isinstance(ev, ConnectionClosed):
            conn = ev.connection
            if ev.pending:
                error = ParseError("truncated", f"the remote closed the connection inside a message: "
                                                f"{len(ev.pending)} bytes received that never formed a message")
                self._record_error(error, ev.pending, conn.remote, conn, note="connection closed")
            else:
                self.wire.record("note", self.transport, conn.local, conn.remote, b"",
                                 note="connection closed by the remote", connection=conn.id)
        elif isinstance(ev, ConnectionOpened):
            conn = ev.connection
            self.wire.record("note", self.transport, conn.local, conn.remote, b"", note="connection accepted",
                             connection=conn.id)
        elif isinstance(ev, ConnectionReady):
            conn = ev.connection
            self.wire.record("note", self.transport, conn.local, conn.remote, b"", note=ev.detail, connection=conn.id)
        elif isinstance(ev, ConnectionFailed):
            self._connection_failed(ev)
        elif isinstance(ev, SendFailed):
            self.wire.record("note", ev.transport, local, ev.remote, b"", note=f"transport error: {ev.error}")

    def _connection_failed(self, ev: ConnectionFailed) -> None:
        """A handshake failed (§26.3.1 certificate check, RFC 7118 §4.1 subprotocol): note it, and end the
        transactions that were waiting to send on it, as a transport error (§17.1.1.2, §17.1.2.2)."""
        conn = ev.connection
        unsent = f"; {ev.unsent} queued message(s) never sent" if ev.unsent else ""
        self.wire.record("note", self.transport, conn.local, conn.remote, b"", note=f"{ev.reason}{unsent}",
                         connection=conn.id)
        self.transport_failures.append(ev.reason)
        if ev.unsent:  # the records of the messages still queued: they never left, and the pcap must say so
            out = [r for r in self.wire.records if r.direction == "out" and r.connection == conn.id]
            for rec in out[-ev.unsent:]:
                self.wire.annotate(rec, "never sent: the handshake failed")
        for entry in self._entries():
            if entry.conn is conn and entry.tx.accepts_transport_error:
                if isinstance(entry.tx, ClientTransaction):
                    self._timed_out[entry.tx.key] = ev.reason
                self._execute(entry, entry.tx.transport_error(self.clock.now()))

    def _record_error(self, error: ParseError, raw: bytes, source: Address, conn: Connection | None, *,
                      note: str = "", message: Message | None = None) -> None:
        local = conn.local if conn else self.address
        self.wire.record("in", self.transport, local, source, raw, message=message, error=error, note=note,
                         connection=conn.id if conn else None)
        item = Received(message, error, raw, source, self.transport, conn, self.reactor.elapsed(), next(self._seq))
        self._received.append(item)
        self._errors.append(item)

    def _on_packet(self, ev: Packet) -> None:
        now = self.clock.now()
        conn = ev.connection
        try:
            msg = parse_message(ev.data, max_size=self.max_size, stream=ev.stream)
        except ParseError as exc:
            self._record_error(exc, ev.data, ev.source, conn)
            return
        dropped = self._take_drop(msg)
        extra = len(ev.data) - len(bytes(msg))  # a datagram's bytes beyond Content-Length (§18.3)
        notes = ["dropped (test hook)"] * dropped + [f"{extra} bytes after Content-Length discarded"] * (extra > 0)
        rec = self.wire.record("in", ev.transport, ev.local, ev.source, ev.data, message=msg, note=", ".join(notes),
                               connection=conn.id if conn else None, malformations=tuple(malformations(msg)))
        if dropped:
            return
        item = Received(msg, None, ev.data, ev.source, ev.transport, conn, rec.time, next(self._seq))
        self._received.append(item)
        try:
            if isinstance(msg, Response):
                self._on_response(item, msg, rec, now)
            elif isinstance(msg, Request):
                self._on_request(item, msg, rec, now)
        except ParseError as exc:  # a field routing needs (Via, CSeq, To) is malformed
            self._errors.append(replace(item, error=exc))
            self._deliver(item, rec, f"not routed: {exc}")

    def _on_response(self, item: Received, msg: Response, rec: WireRecord, now: float) -> None:
        entry = self._clients.get((msg.top_via.branch, msg.cseq.method))
        if entry is None:
            self._deliver(item, rec, "matches no client transaction")
            return
        tx = entry.tx
        assert isinstance(tx, ClientTransaction)
        try:
            actions = tx.receive(msg, now)
        except TransactionError as exc:
            self._deliver(item, rec, f"outside its transaction: {exc}")
            return
        self._execute(entry, actions, item, rec)

    def _on_request(self, item: Received, msg: Request, rec: WireRecord, now: float) -> None:
        key = transaction_key(msg)
        entry = self._servers.get(key)
        if entry is None and msg.method == "ACK":
            entry = self._accepted_invite_for(msg)
        if entry is not None:
            adopt = item.connection is not None and not self.route_by_via
            if adopt and (entry.conn is None or not entry.conn.open):
                entry.conn = item.connection
            server = entry.tx
            assert isinstance(server, ServerTransaction)
            try:
                actions = server.receive(msg, now)
            except TransactionError as exc:
                self._deliver(item, rec, f"outside its transaction: {exc}")
                return
            self._execute(entry, actions, item, rec)
            return
        if msg.method == "ACK":
            self._deliver(item, rec, "ACK matches no server transaction")
            return
        tx = ServerTransaction(msg, timers=self.timers, reliable=self._t.reliable,
                               send_trying=self.send_trying)
        dest = response_address(msg, item.source) if self.route_by_via and item.connection is None else item.source
        entry = _Tx(tx, dest, item.connection, self._tag_for(msg, key), item.source)
        self._servers[key] = entry
        self._execute(entry, tx.start(now), item, rec)

    def _accepted_invite_for(self, ack: Request) -> _Tx | None:
        """The INVITE server transaction in "Accepted" whose 2xx this ACK acknowledges (§13.3.1.4:
        the ACK for a 2xx is a new transaction; it matches the dialog, not the branch)."""
        for entry in self._servers.values():
            tx = entry.tx
            if isinstance(tx, ServerTransaction) and tx.state is State.ACCEPTED and tx.last_response is not None:
                inv = tx.request
                if (ack.call_id, ack.cseq.number, ack.to.tag) == (inv.call_id, inv.cseq.number,
                                                                  tx.last_response.to.tag):
                    return entry
        return None

    def _tag_for(self, req: Request, key: Hashable) -> str:
        """One To tag per server transaction; a CANCEL reuses its INVITE's (§9.2: "SHOULD be the same")."""
        if req.method == "CANCEL":
            for entry in self._servers.values():
                if entry.tx.request.method == "INVITE" and entry.tag and cancel_matches(entry.tx.request, req):
                    return entry.tag
        return self._tags.setdefault(key, self.ids.tag())

    def _take_drop(self, msg: Message) -> bool:
        for drop in self._drops:
            if drop.remaining > 0 and drop.match(msg):
                drop.remaining -= 1
                return True
        return False

    def _deliver(self, item: Received, rec: WireRecord | None, note: str) -> None:
        self._inbox.put(item)
        if rec is not None and note:
            self.wire.annotate(rec, note)

    # -- actions -------------------------------------------------------------------------------------------
    def _execute(self, entry: _Tx, actions: list[Action], item: Received | None = None,
                 rec: WireRecord | None = None, *, strict: bool = False) -> None:
        for action in actions:
            if isinstance(action, Send):
                self._send_for(entry, action.message, "retransmission" if action.retransmission else "", strict)
            elif isinstance(action, Deliver) and item is not None:
                self._inbox.put(item)
            elif isinstance(action, Absorb):
                if rec is not None:
                    rec = self.wire.annotate(rec, "absorbed retransmission")
                if isinstance(action.message, Response):
                    self._reack_2xx(action.message)
            elif isinstance(action, Timeout):
                what = f"{entry.tx.machine.name} for {entry.tx.request.start_line}: Timer {action.timer.value} fired"
                self.timeouts.append(what)
                if isinstance(entry.tx, ClientTransaction):
                    self._timed_out[entry.tx.key] = what
                self._note(entry, f"timeout: {what}")
            elif isinstance(action, TransportFailure):
                self._note(entry, f"transport error reported by {entry.tx.machine.name}, now {entry.tx.state.value}")
            elif isinstance(action, Terminated):
                self._forget(entry)

    def _forget(self, entry: _Tx) -> None:
        self._clients = {k: v for k, v in self._clients.items() if v is not entry}
        self._servers = {k: v for k, v in self._servers.items() if v is not entry}

    def _reack_2xx(self, response: Response) -> None:
        """§13.2.2.4: the UAC core re-sends its ACK for each retransmission of a 2xx."""
        if response.status // 100 != 2:
            return
        stored = self._acks_2xx.get((response.call_id, response.cseq.number, response.to.tag))
        if stored is not None:
            ack, dest = stored
            self._transmit(ack, dest, None, note="ACK re-sent for a retransmitted 2xx (§13.2.2.4)")

    def _send_for(self, entry: _Tx, msg: Message, note: str, strict: bool) -> None:
        dest, conn = entry.dest, entry.conn
        if isinstance(entry.tx, ServerTransaction) and conn is not None and not conn.open:
            # §18.2.2: the connection is gone: open one to the source address and the sent-by port.
            dest, conn = (dest[0], entry.tx.request.top_via.port or default_port(self.transport)), None
        try:
            entry.conn = self._transmit(msg, dest, conn, note=note, strict=True)
        except SendError:
            if strict:
                raise
            if self._t.reliable and entry.tx.accepts_transport_error:
                self._execute(entry, entry.tx.transport_error(self.clock.now()))

    def _transmit(self, msg: Message | bytes, dest: Address, conn: Connection | None, *, note: str = "",
                  strict: bool = False) -> Connection | None:
        """Send and log. ``strict``: raise ``SendError`` (a test's own send); else log the failure."""
        data = msg if isinstance(msg, bytes) else bytes(msg)
        message = msg if isinstance(msg, Message) else _try_parse(data, self.max_size)
        try:
            used = self._t.send(data, dest, conn)
        except OSError as exc:
            self.wire.record("note", self.transport, self.address, dest, b"", note=f"send failed: {exc}")
            if strict:
                raise SendError(f"{self.name}: cannot send {_first(message, data)} to {dest[0]}:{dest[1]} "
                                f"over {self.transport.upper()}: {exc}") from None
            return conn
        local = used.local if used else self.address
        if used is not None and not used.ready:  # a TLS / WebSocket handshake first; a failure is an event
            note = f"{note}, queued until the handshake completes" if note else "queued until the handshake completes"
        self.wire.record("out", self.transport, local, used.remote if used else dest, data, message=message,
                         note=note, connection=used.id if used else None)
        return used

    def _note(self, entry: _Tx, note: str) -> None:
        self.wire.record("note", self.transport, self.address, entry.dest, b"", note=note)

    def wait_until(self, condition: Callable[[], bool], within: float) -> bool:
        """Pump the shared reactor until ``condition()`` holds (True) or ``within`` seconds pass (False)."""
        return self.reactor.run_until(condition, self.reactor.now() + within)

    def arrivals(self, match: Callable[[Message], bool]) -> list[WireRecord]:
        """Every message received so far for which ``match`` holds, absorbed retransmissions included."""
        return [r for r in self.wire.records if r.direction == "in" and r.message is not None and match(r.message)]

    def close(self) -> None:
        """Close sockets and leave the reactor (closing it too if the peer made it)."""
        if self._closed:
            return
        self._closed = True
        self._record_unframed()
        self.reactor.remove_source(self)
        self._t.close()
        if self._own_reactor:
            self.reactor.close()

    def _record_unframed(self) -> None:
        """At close: bytes a stream connection received that never formed a message go into the wire log
        (they would otherwise vanish with the connection, and a verdict would say "got nothing")."""
        for conn in list(getattr(self._t, "connections", ())):
            if conn.open and (pending := conn.pending()):
                error = ParseError("truncated", f"{len(pending)} bytes received that never formed a message "
                                                f"(still pending when the test ended)")
                self._record_error(error, pending, conn.remote, conn, note="pending at close")


def _try_parse(data: bytes, max_size: int) -> Message | None:
    try:
        return parse_message(data, max_size=max(max_size, len(data)), validate=False)
    except ParseError:
        return None


def _first(message: Message | None, data: bytes) -> str:
    return message.start_line if message is not None else f"{len(data)} raw bytes"
