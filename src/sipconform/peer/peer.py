"""``SipPeer``: the controllable SIP peer a test scripts, pytest-httpserver style.

    with SipPeer("udp", timers=Timers(t1=0.5)) as uac:
        invite = uac.invite(dut)
        uac.send(invite, to=dut)                       # INVITE client transaction: Timer A over UDP
        uac.expect_response(invite, status=180)
        cancel = uac.cancel(invite)                    # §9.1, to where the INVITE went
        uac.expect_response(cancel, status=200)
        uac.expect_response(invite, status=487)        # the ACK is sent by the transaction (§17.1.1.3)
        uac.check()                                    # anything unparseable the DUT sent fails here

Every wait has a deadline (default 64*T1, Timer B/F) and pumps the shared reactor, so the other peers
of the test keep retransmitting and absorbing meanwhile. Non-matching messages stay in the inbox.
Rules can be broken on purpose: send raw bytes, ``retransmit=False``, ``auto_ack=False``, edit a
built message, ``drop_next`` to lose an incoming message.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from types import TracebackType

from sipconform.peer.compose import Identity, compose, dialog_fields, host_port
from sipconform.peer.core import PeerCore, _Drop, _Tx
from sipconform.peer.inbox import NoMessage, PeerError, Received, UnexpectedMessage
from sipconform.peer.reactor import Reactor
from sipconform.peer.teardown import wind_up
from sipconform.peer.tls import TlsConfig
from sipconform.peer.transport import Address, TcpTransport
from sipconform.peer.transports import MAX_MESSAGE_SIZE
from sipconform.peer.websocket import WsConfig
from sipconform.sip.build import ack_for_2xx, cancel_for, response_to
from sipconform.sip.errors import ParseError
from sipconform.sip.matching import transaction_key
from sipconform.sip.message import Message, Request, Response
from sipconform.sip.timers import Timers
from sipconform.sip.transaction import ClientTransaction, TransactionError
from sipconform.sip.transports import sip_uri
from sipconform.sip.via import stamp_via

__all__ = ["SipPeer"]

Headers = Iterable[tuple[str, str]]


class SipPeer(PeerCore):
    """A SIP endpoint on ``host``:0 over ``transport`` (udp, tcp, tls, ws, wss) that a test drives step by step.

    ``reactor``: share one with the other peers of the test (one is made if None). ``id_prefix``:
    goes into every branch, tag and Call-ID (e.g. from the xdist worker and test id). ``max_size``:
    larger input is recorded as an error. ``tls``: what a TLS or WSS peer presents and trusts (required
    for those); ``ws``: WebSocket path and subprotocol (``peer.websocket.WsConfig``). ``send_trying``:
    INVITE server transactions answer 100 at once.
    ``via_params`` (some of ``SERVER_VIA_PARAMS``): ``respond`` stamps them on the top Via as a server
    transport does (§18.2.1 ``received``, RFC 3581 ``rport``); ``route_by_via``: UDP responses go to the
    source address and the sent-by (or, with ``rport``, the source) port (§18.2.2), not simply back to
    the source, and TCP responses of a transaction whose connection closed go to a new connection to the
    sent-by port even when a retransmission came on another one (§18.2.2: "the existing connection to the
    source of the original request"). Both off by default: the peer answers where the request came from
    (over TCP: the latest connection of the transaction), Via untouched.
    """

    def __init__(self, transport: str = "udp", *, timers: Timers, host: str = "127.0.0.1",
                 reactor: Reactor | None = None, name: str = "peer", id_prefix: str = "",
                 max_size: int = MAX_MESSAGE_SIZE, send_trying: bool = False, via_params: tuple[str, ...] = (),
                 route_by_via: bool = False, tls: TlsConfig | None = None, ws: WsConfig | None = None) -> None:
        super().__init__(transport, timers=timers, host=host, reactor=reactor, name=name, id_prefix=id_prefix,
                         max_size=max_size, send_trying=send_trying, via_params=via_params,
                         route_by_via=route_by_via, tls=tls, ws=ws)
        self.remote: Address | None = None  # default destination of send()

    def __repr__(self) -> str:
        return f"<SipPeer {self.name} {self.transport.upper()} {self.sent_by}>"

    def __enter__(self) -> SipPeer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """End the calls the test left half-open (``teardown.wind_up``), then close the sockets."""
        if not self._closed:
            try:
                wind_up(self)
            except (OSError, ParseError, AssertionError, TransactionError) as exc:
                self.wire.record("note", self.transport, self.address, self.address, b"",
                                 note=f"teardown: could not end a pending call: {exc}")
        super().close()

    # -- identity ------------------------------------------------------------------------------------------
    @property
    def sent_by(self) -> str:
        """``host:port`` for the Via sent-by (§18.1.1)."""
        return host_port(self.address)

    def uri(self, user: str = "peer") -> str:
        """``sip:user@host:port`` with this transport's scheme and parameter (``sip.transports.sip_uri``)."""
        return sip_uri(user, self.sent_by, self.transport)

    @property
    def contact(self) -> str:
        return self.uri()

    def new_branch(self) -> str:
        return self.ids.branch()

    def new_tag(self) -> str:
        return self.ids.tag()

    def new_call_id(self) -> str:
        return self.ids.call_id(self.address[0])

    @property
    def _me(self) -> Identity:
        return Identity(self.transport, self.sent_by, self.contact)

    def _target_uri(self, target: Address, user: str) -> str:
        return sip_uri(user, host_port(target), self.transport)

    # -- building requests ---------------------------------------------------------------------------------
    def invite(self, target: Address, *, user: str = "dut", uri: str | None = None, headers: Headers = (),
               body: bytes = b"", route: Iterable[str] = (), compact: bool = False,
               branch: str | None = None) -> Request:
        """A correct out-of-dialog INVITE from this peer (§8.1.1): fresh branch, From tag and Call-ID,
        To without tag, CSeq 1, Max-Forwards 70, Contact; ``compact`` uses compact names (§7.3.3)."""
        return self.request("INVITE", target, user=user, uri=uri, headers=headers, body=body, route=route,
                            compact=compact, branch=branch)

    def request(self, method: str, target: Address | None = None, *, in_dialog_of: Request | Response | None = None,
                user: str = "dut", uri: str | None = None, headers: Headers = (), body: bytes = b"",
                route: Iterable[str] = (), compact: bool = False, branch: str | None = None,
                cseq: int | None = None) -> Request:
        """A request from this peer. Out of dialog: like ``invite``. ``in_dialog_of``: a response to our
        INVITE (we are the UAC) or an INVITE we answered (the UAS) gives Call-ID, tags, target and
        route set (§12.2.1.1); CSeq then defaults to one more than the INVITE's (UAC) or 1 (UAS)."""
        if in_dialog_of is not None:
            local_tag = None
            if isinstance(in_dialog_of, Request):
                local_tag = self._tags.get(transaction_key(in_dialog_of))
            d = dialog_fields(in_dialog_of, local_tag)
            number = cseq if cseq is not None else (
                in_dialog_of.cseq.number + 1 if isinstance(in_dialog_of, Response) else 1)
            return compose(method, uri or d.uri, me=self._me, branch=branch or self.new_branch(), call_id=d.call_id,
                           from_=d.from_, to=d.to, cseq=number, headers=headers, body=body,
                           route=[*d.routes, *route], compact=compact)
        if uri is None:
            if target is None:
                raise ValueError("request() needs a target address or a uri")
            uri = self._target_uri(target, user)
        request_uri = uri
        return compose(method, request_uri, me=self._me, branch=branch or self.new_branch(),
                       call_id=self.new_call_id(), from_=f"<{self.uri()}>;tag={self.new_tag()}",
                       to=f"<{request_uri}>", cseq=cseq or 1, headers=headers, body=body, route=route,
                       compact=compact)

    # -- sending -------------------------------------------------------------------------------------------
    def send(self, msg: Message | bytes, to: Address | None = None, *, retransmit: bool | None = None,
             auto_ack: bool = True) -> None:
        """Send ``msg`` to ``to`` (default ``self.remote``).

        A request other than ACK starts a client transaction (§17.1): retransmitted over UDP (Timer
        A/E) unless ``retransmit=False``; an INVITE one ACKs non-2xx finals itself unless
        ``auto_ack=False``. An ACK, a response, or raw ``bytes`` are sent once, as they are. A
        response without ``to`` goes where its request came from. Over TCP the connection to ``to``
        is opened on first use and reused. Raises ``SendError`` if it cannot be sent.
        """
        if isinstance(msg, Response) and to is None:
            entry = self._server_entry(msg)
            if entry is not None:
                self._send_for(entry, msg, "sent by the test", strict=True)
                return
        dest = to if to is not None else self.remote
        if dest is None:
            raise ValueError(f"{self.name}: no destination: pass to= or set peer.remote")
        if isinstance(msg, (bytes, bytearray)):
            self._transmit(bytes(msg), dest, None, note="raw bytes", strict=True)
            return
        if not isinstance(msg, Request) or msg.method == "ACK":
            self._transmit(msg, dest, None, strict=True)
            if isinstance(msg, Request):  # remember it, to re-send it for a retransmitted 2xx (§13.2.2.4)
                self._acks_2xx[(msg.call_id, msg.cseq.number, msg.to.tag)] = (msg, dest)
            return
        try:
            key = (msg.top_via.branch, msg.cseq.method)
        except ParseError:  # a request broken on purpose: no transaction can match its responses
            self._transmit(msg, dest, None, note="no usable Via/CSeq: sent without a transaction", strict=True)
            return
        if key in self._clients:
            self._transmit(msg, dest, self._clients[key].conn, note="sent again by the test", strict=True)
            return
        tx = ClientTransaction(msg, timers=self.timers, reliable=self._t.reliable,
                               retransmit=retransmit is not False, auto_ack=auto_ack)
        entry = _Tx(tx, dest, None)
        self._clients[key] = entry
        try:
            self._execute(entry, tx.start(self.clock.now()), strict=True)
        except Exception:
            self._forget(entry)
            raise

    def cancel(self, invite: Request, *, retransmit: bool | None = None) -> Request:
        """Build the CANCEL for ``invite`` (§9.1) and send it where the INVITE went; returns it."""
        cancel = cancel_for(invite)
        entry = self._clients.get((invite.top_via.branch, invite.cseq.method))
        self.send(cancel, entry.dest if entry else None, retransmit=retransmit)
        return cancel

    def ack(self, response: Response, *, to: Address | None = None) -> Request:
        """Build and send the ACK for a 2xx to one of our INVITEs (§13.2.2.4); returns it."""
        entry = self._clients.get((response.top_via.branch, response.cseq.method))
        if entry is None:
            raise ValueError(f"{self.name}: {response.start_line!r} answers no INVITE of ours still known")
        via = f"SIP/2.0/{self._me.via_transport} {self.sent_by};branch={self.new_branch()}"
        ack = ack_for_2xx(entry.tx.request, response, via=via)
        self.send(ack, to if to is not None else entry.dest)
        return ack

    def respond(self, req: Request, status: int, reason: str | None = None, *, to_tag: str | None = None,
                headers: Headers = (), body: bytes = b"", retransmit: bool | None = None) -> Response:
        """Answer ``req`` through its server transaction (§8.2.6, §17.2) and return the response.

        Goes to the request's source address (UDP) or back on its connection (TCP, §18.2.2). A
        response other than 100 to a request without To tag gets ``to_tag`` or the transaction's own
        tag (the same for all its responses). 101-299 to INVITE gets a Contact (§12.1.1) unless given.
        An INVITE final over UDP is retransmitted per Timer G until ACK unless ``retransmit=False``.
        """
        entry = self._server_entry(req)
        if entry is None:
            raise TransactionError(f"{self.name}: no server transaction for {req.start_line!r} (it ended or was "
                                   f"never received); to send a response anyway use send(response, to=...)")
        tag = None if status == 100 or req.to.tag is not None else (to_tag or entry.tag)
        extra = list(headers)
        names = {name.lower() for name, _ in extra}
        if req.method == "INVITE" and 100 < status < 300 and not names & {"contact", "m"}:
            extra.append(("Contact", f"<{self.contact}>"))
        if body and not names & {"content-type", "c"}:
            extra.append(("Content-Type", "application/sdp"))
        response = response_to(self.as_received(req), status, reason, to_tag=tag, extra=extra, body=body)
        actions = entry.tx.respond(response, self.clock.now(), retransmit=retransmit)  # type: ignore[union-attr]
        self._execute(entry, actions, strict=True)
        return response

    def as_received(self, req: Request) -> Request:
        """``req`` with the ``via_params`` stamped on its top Via, as its responses copy it (§18.2.1)."""
        entry = self._server_entry(req)
        if not self.via_params or entry is None or entry.source is None:
            return req
        return stamp_via(req, entry.source, self.via_params)

    def _server_entry(self, msg: Message) -> _Tx | None:
        try:
            if isinstance(msg, Request):
                return self._servers.get(transaction_key(msg))
            for entry in self._servers.values():
                req = entry.tx.request
                if (msg.top_via.branch, msg.cseq.method) == (req.top_via.branch, req.cseq.method):
                    return entry
        except ParseError:
            pass
        return None

    # -- expecting -----------------------------------------------------------------------------------------
    def expect_request(self, method: str | None = None, *, within: float | None = None,
                       where: Callable[[Request], bool] | None = None) -> Request:
        """Take the first received request with ``method`` (and ``where``), waiting up to ``within``
        (default 64*T1). Raises ``NoMessage`` naming what came instead."""
        def match(m: Message) -> bool:
            return isinstance(m, Request) and method in (None, m.method) and (where is None or where(m))
        found = self._expect(match, method or "a request", within)
        assert isinstance(found, Request)
        return found

    def expect_response(self, to: Request | None = None, *, status: int | Container[int] | None = None,
                        within: float | None = None, final: bool = False) -> Response:
        """Take the first response answering ``to`` (top Via branch and CSeq method, §17.1.3) with
        ``status`` (a code or a container of codes); ``final`` skips provisionals. If ``to`` already
        got a final response that does not match, or its transaction timed out, fail at once."""
        def match(m: Message) -> bool:
            return (isinstance(m, Response) and (to is None or _answers(m, to)) and not (final and m.status < 200)
                    and (status is None or _status_in(m.status, status)))

        wants_final = final or (status is not None and _all_final(status))

        def hopeless() -> str | None:
            if to is None:
                return None
            if wants_final:
                for item in self._inbox:
                    m = item.message
                    if isinstance(m, Response) and m.status >= 200 and _answers(m, to) and not match(m):
                        return f"got {m.start_line!r} instead"
            timed_out = self._timed_out.get((to.top_via.branch, to.cseq.method))
            return f"the client transaction timed out ({timed_out})" if timed_out else None

        what = _status_text(status, final) + (f" to {to.cseq.method}" if to is not None else "")
        found = self._expect(match, what, within, hopeless)
        assert isinstance(found, Response)
        return found

    def expect_nothing(self, window: float, *, method: str | None = None,
                       where: Callable[[Message], bool] | None = None) -> None:
        """Wait the whole ``window``; raise ``UnexpectedMessage`` (an AssertionError) as soon as a message
        that is a request with ``method`` (any message if None) and passes ``where`` is waiting in the
        inbox: one that arrives during the window, or one that arrived before and was never consumed."""
        after = 0

        def match(m: Message) -> bool:
            return (method is None or (isinstance(m, Request) and m.method == method)) and (where is None or where(m))
        self.reactor.run_until(lambda: self._inbox.find(match, after=after) is not None, self.clock.now() + window,
                               what=f"no {method or 'message'} from the DUT (a quiet window)")
        item = self._inbox.find(match, after=after)
        if item is not None:
            raise UnexpectedMessage(f"{self.name}: expected no {method or 'message'} for {window:.3g} s; got "
                                    f"{item.first_line!r} at +{item.time:.3f} s from {host_port(item.source)}")

    def _expect(self, match: Callable[[Message], bool], what: str, within: float | None,
                hopeless: Callable[[], str | None] | None = None) -> Message:
        window = self.timers.b if within is None else within
        state: dict[str, Received | str | None] = {"found": None, "hopeless": None}

        def done() -> bool:
            state["found"] = self._inbox.find(match)
            if state["found"] is None and hopeless is not None:
                state["hopeless"] = hopeless()
            return state["found"] is not None or state["hopeless"] is not None

        start = self.clock.now()
        self.reactor.run_until(done, start + window, what=f"{what} from the DUT")
        found = state["found"]
        if isinstance(found, Received):
            return self._inbox.take(found)
        reason = str(state["hopeless"] or "got nothing")
        if state["hopeless"] and "timed out" in reason:  # Timer B/F ran out: a protocol wait, like a window
            self.reactor.waited += self.clock.now() - start
        errors = ""
        if self._errors:
            first = self._errors[0]
            errors = (f" Unparseable input: {len(self._errors)} (see check()), the first: {first.error} "
                      f"({len(first.raw)} bytes from {host_port(first.source)}).")
        raise NoMessage(f"{self.name}: expected {what} within {window:.3g} s; {reason}. "
                        f"Unconsumed: {self._inbox.summary()}.{errors}")

    # -- inspection and hooks ------------------------------------------------------------------------------
    def source_of(self, msg: Message) -> Address:
        """Where ``msg`` (as returned by ``expect_*``) came from."""
        for item in self._received:
            if item.message is msg:
                return item.source
        raise KeyError(f"{self.name}: that message was not received by this peer")

    def received(self) -> list[Received]:
        """Everything received, in order: messages (delivered or absorbed) and unparseable input."""
        return list(self._received)

    def unconsumed(self) -> list[Message]:
        """Messages passed up and not yet taken by an ``expect_*``."""
        return [i.message for i in self._inbox if i.message is not None]

    def check(self) -> None:
        """Raise ``PeerError`` listing input from the remote that could not be parsed or framed."""
        if self._errors:
            lines = "\n".join(f"  {i + 1}. {e.describe_error()}" for i, e in enumerate(self._errors))
            raise PeerError(f"{self.name}: {len(self._errors)} message(s) from the remote could not be "
                            f"parsed or framed:\n{lines}")

    def drop_next(self, method: str | None = None, *, status: int | None = None, count: int = 1,
                  where: Callable[[Message], bool] | None = None) -> None:
        """Lose the next ``count`` incoming messages that match, as a lossy network would (the wire
        log still shows them, marked dropped): requests by ``method``, responses by ``status``."""
        def match(m: Message) -> bool:
            if method is not None and not (isinstance(m, Request) and m.method == method):
                return False
            if status is not None and not (isinstance(m, Response) and m.status == status):
                return False
            return where is None or where(m)
        self._drops.append(_Drop(match, count))

    def close_connections(self) -> None:
        """TCP: close every connection of this peer, as a crashed or restarted endpoint would."""
        if isinstance(self._t, TcpTransport):
            for conn in list(self._t.connections):
                conn.close()
                self.wire.record("note", self.transport, conn.local, conn.remote, b"",
                                 note="connection closed by the test", connection=conn.id)


def _answers(response: Response, request: Request) -> bool:
    """§17.1.3: same top Via branch and the CSeq method of the request."""
    try:
        return (response.top_via.branch, response.cseq.method) == (request.top_via.branch, request.cseq.method)
    except ParseError:
        return False


def _status_in(code: int, status: int | Container[int]) -> bool:
    return code == status if isinstance(status, int) else code in status


def _all_final(status: int | Container[int]) -> bool:
    if isinstance(status, int):
        return status >= 200
    try:
        return all(code >= 200 for code in status)  # type: ignore[attr-defined]
    except TypeError:
        return False


def _status_text(status: int | Container[int] | None, final: bool) -> str:
    if status is None:
        return "a final response" if final else "a response"
    if isinstance(status, int):
        return f"a {status} response"
    return f"a response with status in {status!r}"
