"""DUT-as-UAS steps: the peer calls the DUT, lets it ring, and cancels (RFC 3665 §3.8 flow).

A step that cannot reach its state (the DUT answers at once instead of ringing, or never answers)
raises ``Inconclusive``: the clause under test was never exercised, so it can neither pass nor fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Container, Sequence

from sipconform.dut.profile import TARGET_BEHAVIOURS, DutProfile
from sipconform.dut.upper_tester import UpperTester
from sipconform.peer import NoMessage, SendError, SipPeer
from sipconform.sip import Message, Request, Response, ack_for_2xx, cancel_for
from sipconform.sip.build import in_dialog_request
from sipconform.scenario.uac import act
from sipconform.verdict import Inconclusive, precondition
from sipconform.sip.transports import sip_uri

Address = tuple[str, int]

__all__ = ["Call", "CancelControl", "Rejection", "ack_2xx", "answered", "answers_to", "assert_cancel_accepted",
           "cancel", "cancel_on_second_connection", "cancel_refusal", "cancelled", "final_response",
           "first_response_delay", "hang_up", "is_final_to", "is_ringing_to", "landing", "lands_at_sent_by",
           "lands_at_source", "place_call", "rejected", "response_delay", "ring", "refuses", "ringing_refreshes",
           "second_via", "sent_from", "target_uri"]


def target_uri(dut: DutProfile, transport: str, behaviour: str = "ring") -> str:
    """The Request-URI that makes the DUT behave as ``behaviour`` (the profile's ``[targets]``)."""
    user = dut.targets.get(behaviour)
    if user is None:
        raise Inconclusive(f"the profile names no [targets] {behaviour!r} user, a Request-URI with which the DUT "
                           f"{TARGET_BEHAVIOURS[behaviour]}")
    host = f"[{dut.host}]" if ":" in dut.host else dut.host
    return sip_uri(user, f"{host}:{dut.port}", transport)


@dataclass
class Call:
    """An INVITE the peer sent to the DUT, and the responses it got so far."""

    peer: SipPeer
    invite: Request
    responses: list[Response] = field(default_factory=list)
    cancel_request: Request | None = None     # the last CANCEL ``cancel`` sent for it
    cancel_response: Response | None = None   # its final response, once ``cancelled`` took it

    @property
    def provisionals(self) -> list[Response]:
        return [r for r in self.responses if r.is_provisional]

    @property
    def to_tag(self) -> str | None:
        """The To tag of the DUT's first tagged response: the tag of the early dialog (§8.2.6.2)."""
        return next((r.to.tag for r in self.responses if r.to.tag), None)

    @property
    def final(self) -> Response | None:
        return next((r for r in self.responses if r.is_final), None)


def place_call(peer: SipPeer, dut: DutProfile, *, behaviour: str = "ring",
               edit: Callable[[Request], Request] | None = None, auto_ack: bool = True, **invite_kw: Any) -> Call:
    """Send an INVITE to the DUT's ``behaviour`` target. ``invite_kw`` go to ``SipPeer.invite``;
    ``edit`` may rewrite the INVITE before it is sent (to add, remove or break something on purpose);
    ``auto_ack=False`` leaves the ACK of a non-2xx final to the test (§17.1.1.3)."""
    invite = peer.invite((dut.host, dut.port), uri=target_uri(dut, peer.transport, behaviour), **invite_kw)
    if edit is not None:
        invite = edit(invite)
    peer.send(invite, auto_ack=auto_ack)
    return Call(peer, invite)


def _is_ringing(response: Response) -> bool:
    return response.status > 100


def ring(peer: SipPeer, dut: DutProfile, *, behaviour: str = "ring",
         until: Callable[[Response], bool] = _is_ringing, edit: Callable[[Request], Request] | None = None,
         auto_ack: bool = True, **invite_kw: Any) -> Call:
    """Call the DUT and wait until it sends a provisional response for which ``until`` holds.

    The default waits for a non-100 provisional (18x): the state in which §9.2 says a CANCEL has
    something to cancel and the early dialog has its To tag. A final response instead means the DUT
    never reached that state: ``Inconclusive``.
    """
    call = place_call(peer, dut, behaviour=behaviour, edit=edit, auto_ack=auto_ack, **invite_kw)
    with precondition(f"the DUT sends a provisional response to an INVITE for {call.invite.uri}"):
        while True:
            response = peer.expect_response(call.invite)
            call.responses.append(response)
            if response.is_final:
                raise Inconclusive(f"the DUT answered the INVITE with {response.status} {response.reason} "
                                   "instead of staying in the Proceeding state, so there was nothing to cancel")
            if until(response):
                return call


def cancel(call: Call, *, extra: tuple[tuple[str, str], ...] = (), request: Request | None = None) -> Request:
    """Send the §9.1 CANCEL of the call's INVITE (with ``extra`` header fields), or ``request`` (a variant
    of it), and return it; it is kept as ``call.cancel_request``."""
    request = request if request is not None else cancel_for(call.invite, extra=extra)
    call.peer.send(request)
    call.cancel_request = request
    return request


def is_final_to(invite: Request) -> Callable[[Message], bool]:
    """A predicate: is a message a final response to ``invite`` (same CSeq, method INVITE)?"""
    def predicate(message: Message) -> bool:
        return (isinstance(message, Response) and message.is_final and message.cseq.method == "INVITE"
                and message.cseq.number == invite.cseq.number and message.call_id == invite.call_id)
    return predicate


def is_ringing_to(invite: Request) -> Callable[[Message], bool]:
    """A predicate: is a message a non-100 provisional response (18x) to ``invite``?"""
    def predicate(message: Message) -> bool:
        return (isinstance(message, Response) and 100 < message.status < 200 and message.cseq.method == "INVITE"
                and message.cseq.number == invite.cseq.number and message.call_id == invite.call_id)
    return predicate


def ringing_refreshes(call: Call, limit: float, count: int) -> list[float]:
    """§13.3.1.1: wait for ``count`` more non-100 provisionals to the ringing call's INVITE, each within
    ``limit`` of the one before (wire arrival times, retransmissions the transaction absorbed included);
    return the gaps. A gap longer than ``limit`` fails as soon as ``limit`` has passed; a final response
    before ``count`` refreshes ends the ringing first: ``Inconclusive``."""
    peer, ringing, final = call.peer, is_ringing_to(call.invite), is_final_to(call.invite)
    started = last = peer.arrivals(ringing)[-1].time
    gaps: list[float] = []

    def news() -> list[Any]:
        return [r for r in peer.arrivals(lambda m: ringing(m) or final(m)) if r.time > last]

    while len(gaps) < count:
        peer.wait_until(lambda: bool(news()), within=max(0.0, last + limit - peer.reactor.elapsed()))
        arrived = news()
        assert arrived, (f"no non-100 provisional response for {limit:.3g} s after the one at +{last:.3f} s "
                         f"while the INVITE was ringing: one is due at every minute (refresh {len(gaps) + 1})")
        record = arrived[0]
        if final(record.message):
            raise Inconclusive(f"the DUT ended the ringing INVITE with {record.first_line!r} "
                               f"{record.time - started:.3g} s after its first 18x, before {count} refreshes "
                               f"could be seen ({len(gaps)} seen)")
        gaps.append(record.time - last)
        last = record.time
    return gaps


def answers_to(request: Request) -> Callable[[Message], bool]:
    """A predicate: is a message a response to ``request`` as a client transaction matches it (§17.1.3: top
    Via branch and CSeq method)? A wrong CSeq number is RFC3261-8.2.6.2-1's to judge, not a lost answer."""
    def predicate(message: Message) -> bool:
        return (isinstance(message, Response) and message.cseq.method == request.cseq.method
                and message.top_via.branch == request.top_via.branch)
    return predicate


def first_response_delay(call: Call) -> float:
    """Seconds from the INVITE leaving the peer to the first response to it arriving (wire log times)."""
    return response_delay(call.peer, call.invite)


def response_delay(peer: SipPeer, request: Request) -> float:
    """Seconds from ``request`` leaving ``peer`` to the first response to it arriving there (wire log times)."""
    records = peer.wire.records
    sent = next(r.time for r in records if r.direction == "out" and r.message is not None
                and isinstance(r.message, Request) and r.message.method == request.method
                and r.message.top_via.branch == request.top_via.branch)
    answered_at = next(r.time for r in records if r.direction == "in" and r.message is not None
                       and answers_to(request)(r.message))
    return answered_at - sent


def sent_from(peer: SipPeer, request: Request) -> Address:
    """The local address ``request`` left the peer from (over TCP: its connection's end)."""
    return next(r.local for r in peer.wire.records if r.direction == "out" and r.message is not None
                and isinstance(r.message, Request) and r.message.method == request.method
                and r.message.top_via.branch == request.top_via.branch)


def landing(peers: Sequence[SipPeer], request: Request, within: float) -> tuple[SipPeer, Response] | None:
    """Wait up to ``within`` for a response to ``request`` at any of ``peers`` (the one that sent it,
    and the ones a Via may point to): the first peer it reached and that response, or None."""
    match = answers_to(request)

    def arrived() -> tuple[SipPeer, Response] | None:
        for peer in peers:
            records = peer.arrivals(match)
            if records:
                response = records[0].message
                assert isinstance(response, Response)
                return peer, response
        return None

    peers[0].wait_until(lambda: arrived() is not None, within=within)
    return arrived()


def cancel_on_second_connection(other: SipPeer, origin: SipPeer, invite: Request, dest: Address,
                                within: float) -> Response:
    """§18.2.2 over TCP: the CANCEL of ``invite`` (sent by ``origin``) sent again from ``other``, on a second
    connection to ``dest``: its response must come on that connection, not on the INVITE's; a CANCEL that
    gets no answer or no 200 (the INVITE was not cancelled, see RFC3261-22.1-2) is inconclusive."""
    request = cancel_for(invite)
    other.send(request, dest)
    where = landing([other, origin], request, within)
    if where is None:
        raise Inconclusive(f"the CANCEL sent on a second connection got no response within {within:.3g} s")
    peer, response = where
    assert peer is other, (f"{response.start_line!r} to the CANCEL came on the INVITE's connection, not on "
                           "the CANCEL's own")
    response = other.expect_response(request, final=True)
    if response.status != 200:
        raise Inconclusive(f"the CANCEL on a second connection was answered {response.start_line!r}, so the "
                           "INVITE was not cancelled (see RFC3261-22.1-2)")
    return response


def lands_at_sent_by(sender: SipPeer, sent_by_peer: SipPeer, request: Request, within: float) -> Response:
    """§18.2.2 (UDP, no rport): the first response to ``request`` (sent from ``sender`` with the sent-by port
    of ``sent_by_peer``) must reach ``sent_by_peer``; no response at either socket is inconclusive."""
    where = landing([sent_by_peer, sender], request, within)
    if where is None:
        raise Inconclusive(f"no response to the {request.method} reached either socket within {within:.3g} s")
    peer, response = where
    assert peer is sent_by_peer, (
        f"{response.start_line!r} to the {request.method} went to the source port {sender.address[1]}, "
        f"not the sent-by port {sent_by_peer.address[1]}")
    return response


def lands_at_source(sender: SipPeer, sent_by_peer: SipPeer, request: Request, dut: DutProfile,
                    within: float) -> Response:
    """RFC 3581 §4 (UDP, rport): the first response to ``request`` must reach ``sender`` (the source port, not
    the sent-by port of ``sent_by_peer``), from the DUT's port where the request was received."""
    where = landing([sender, sent_by_peer], request, within)
    if where is None:
        raise Inconclusive(f"no response to the {request.method} reached either socket within {within:.3g} s")
    peer, response = where
    assert peer is sender, (f"{response.start_line!r} to the {request.method} went to the sent-by port "
                            f"{sent_by_peer.address[1]}, not the rport (source) port {sender.address[1]}")
    origin = sender.source_of(response)
    assert origin == (dut.host, dut.port), (
        f"{response.start_line!r} came from {origin[0]}:{origin[1]}, not from {dut.host}:{dut.port} where "
        f"the {request.method} was received")
    return response


def answered(peer: SipPeer, dut: DutProfile, *, behaviour: str = "answer", **invite_kw: Any) -> Call:
    """Call the DUT's ``behaviour`` target and wait for its final response (200 for ``answer``, a
    non-2xx for ``busy``); a DUT that keeps ringing or answers otherwise makes the test inconclusive."""
    call = place_call(peer, dut, behaviour=behaviour, **invite_kw)
    with precondition(f"the DUT answers an INVITE for {call.invite.uri} at once"):
        final = final_response(call)
    wanted_2xx = behaviour == "answer"
    if (final.status < 300) != wanted_2xx:
        raise Inconclusive(f"the DUT answered {final.status} {final.reason} to the {behaviour!r} target; "
                           f"the clause needs a {'2xx' if wanted_2xx else 'non-2xx'} final response")
    return call


def ack_2xx(call: Call) -> Request:
    """Send the end-to-end ACK for the call's 2xx (§13.2.2.4)."""
    final = call.final
    assert final is not None and final.status < 300
    ack = ack_for_2xx(call.invite, final, via=f"{call.invite.top_via.sent_protocol} {call.peer.sent_by}"
                                                f";branch={call.peer.new_branch()};rport")
    call.peer.send(ack, call.peer.source_of(final))
    return ack


def hang_up(call: Call, *, cseq_number: int | None = None) -> Response:
    """End the call's confirmed dialog with BYE (§15.1.1; CSeq ``cseq_number``, default one more than the
    INVITE's) and return the final response to it."""
    final = call.final
    assert final is not None and final.status < 300
    number = cseq_number if cseq_number is not None else call.invite.cseq.number + 1
    bye = in_dialog_request("BYE", call.invite, final, cseq_number=number,
                            via=f"{call.invite.top_via.sent_protocol} {call.peer.sent_by}"
                                f";branch={call.peer.new_branch()};rport")
    call.peer.send(bye, call.peer.source_of(final))
    return call.peer.expect_response(bye, final=True)


def second_via(invite: Request, via: str) -> Request:
    """``invite`` with ``via`` inserted right below its top Via, as if a proxy had forwarded it."""
    index = next(i for i, h in enumerate(invite.headers) if h.key == "via")
    return invite.insert_header(index + 1, "Via", via)


def cancelled(call: Call) -> Request:
    """Send the CANCEL and wait for its final response, kept as ``call.cancel_response``: if the DUT
    refused the CANCEL and then does not end the INVITE, ``final_response`` is ``Inconclusive``."""
    request = cancel(call)
    with precondition("the DUT answers the CANCEL"):
        call.cancel_response = call.peer.expect_response(request, final=True)
    return request


REFUSED_CANCEL_T1 = 4
"""After the call's CANCEL was refused, its INVITE's final response is looked for 4*T1 more (a DUT may end
the INVITE and still answer the CANCEL otherwise), not until the DUT gives up ringing."""


def refuses(answer: Response) -> bool:
    """Is ``answer`` (a response to a CANCEL) a refusal: a final response other than 200?"""
    return answer.is_final and answer.status != 200


def cancel_answer(call: Call) -> Response | None:
    """The final response the call's CANCEL got so far (only what arrived after it left counts: a stray
    CANCEL before it may share its branch), or None."""
    answer, request = call.cancel_response, call.cancel_request
    if answer is not None or request is None:
        return answer
    records = call.peer.wire.records
    sent = next((r.seq for r in records if r.direction == "out" and r.message is request), None)
    return next((r.message for r in records if sent is not None and r.seq > sent and r.direction == "in"
                 and isinstance(r.message, Response) and r.message.is_final and answers_to(request)(r.message)), None)


def cancel_refusal(call: Call) -> Response | None:
    """The final response other than 200 the call's CANCEL got, if it did: the DUT refused it."""
    answer = cancel_answer(call)
    return answer if answer is not None and refuses(answer) else None


def final_response(call: Call) -> Response:
    """Wait for the final response to the call's INVITE (each response within Timer B of the DUT's T1).
    A CANCEL of the call that was refused (its answer is awaited first) leaves only ``REFUSED_CANCEL_T1``*T1
    more: an INVITE still pending then was never cancelled, which says nothing about the clause under test:
    ``Inconclusive``."""
    peer, ends_invite = call.peer, is_final_to(call.invite)
    if call.cancel_request is not None and call.final is None:
        peer.wait_until(lambda: cancel_answer(call) is not None or bool(peer.arrivals(ends_invite)),
                        within=peer.timers.b)
    refusal = cancel_refusal(call)
    deadline = None if refusal is None else peer.reactor.now() + REFUSED_CANCEL_T1 * peer.timers.t1
    try:
        while call.final is None:
            within = None if deadline is None else max(0.0, deadline - peer.reactor.now())
            call.responses.append(peer.expect_response(call.invite, within=within))
    except NoMessage as exc:
        if refusal is None:
            raise
        raise Inconclusive(f"the DUT refused the CANCEL ({refusal.start_line}) and did not end the INVITE, so "
                           f"it was never cancelled (see RFC3261-9.2-10): {exc}") from None
    assert call.final is not None
    return call.final


class CancelControl:
    """The control for CANCEL variants the DUT refused (not 200): another call rings and gets its plain §9.1
    CANCEL, once (the examples of a property share it). Refused as well, the DUT refuses every CANCEL, and a
    variant's refusal says nothing about what the variant tries: ``Inconclusive`` (see RFC3261-9.2-10)."""

    def __init__(self, peer: SipPeer, dut: DutProfile) -> None:
        self.peer, self.dut = peer, dut
        self._answer: Response | None = None

    def plain_answer(self) -> Response:
        """The final response to the plain CANCEL of a ringing call (asked the first time only)."""
        if self._answer is None:
            control = ring(self.peer, self.dut)
            cancelled(control)
            self._answer = control.cancel_response
        assert self._answer is not None
        return self._answer

    def judge(self, response: Response, what: str, message: str, expected: Container[int] = (200,)) -> None:
        """Assert the variant's CANCEL got 200 (or a status in ``expected``; ``message`` if not), unless a plain
        CANCEL is refused too: then the refusal says nothing about ``what`` (the variant's point)."""
        if response.status not in expected and (plain := self.plain_answer()).status != 200:
            raise Inconclusive(f"the CANCEL was answered {response.start_line!r}, but a plain CANCEL was refused "
                               f"as well ({plain.start_line}), so the refusal says nothing about {what}; "
                               "see RFC3261-9.2-10")
        assert response.status in expected, message


def assert_cancel_accepted(peer: SipPeer, dut: DutProfile, response: Response, what: str, message: str,
                           expected: Container[int] = (200,)) -> None:
    """``CancelControl.judge`` for one CANCEL variant: its 200 (or ``expected``) is asserted, the control
    paid only if it was refused."""
    CancelControl(peer, dut).judge(response, what, message, expected)


# ---- the callee hangs up while ringing (§15) ---------------------------------------------------------------
HANG_UP_METHODS = ("BYE", "CANCEL")
"""What a UA sends to end a call: a callee ringing must send neither (§15, §9.1), but a non-2xx final."""
LINGER_T1 = 4
"""After the final response the peer watches 4*T1 more for a BYE or CANCEL (its ACK left at once)."""


@dataclass
class Rejection:
    """A ringing call the upper tester made the DUT reject, and what the DUT sent for it then."""

    call: Call
    final: Response | None            # the INVITE's final response (None: none within the window)
    hang_ups: list[Request]           # BYE and CANCEL requests of the call the DUT sent (answered)
    window: float                     # how long the DUT had to answer the INVITE after the reject

    @property
    def early(self) -> bool:
        """Did the ringing response create an early dialog (a To tag, §12.1)?"""
        return self.call.to_tag is not None


def rejected(peer: SipPeer, dut: DutProfile, upper: UpperTester, *, within: float) -> Rejection:
    """§15: the DUT rings (a non-100 provisional), the upper tester makes it reject the call. The peer
    waits up to ``within`` for the INVITE's final response or a BYE/CANCEL of the call, then (after a
    final response, ACKed by its INVITE client transaction) ``LINGER_T1``*T1 more for a BYE/CANCEL.
    BYE and CANCEL are answered so the DUT does not hang; a 2xx (the DUT answered) is ACKed and BYE'd."""
    call = ring(peer, dut)
    act(upper.reject, "reject the call ringing in")
    is_final, invite = is_final_to(call.invite), call.invite

    def is_hang_up(m: Message) -> bool:
        return isinstance(m, Request) and m.method in HANG_UP_METHODS and m.call_id == invite.call_id

    def waiting(match: Callable[[Message], bool]) -> bool:
        return any(match(m) for m in peer.unconsumed())

    peer.wait_until(lambda: waiting(is_final) or waiting(is_hang_up), within)
    if waiting(is_final) and not waiting(is_hang_up):
        peer.wait_until(lambda: waiting(is_hang_up), LINGER_T1 * peer.timers.t1)
    if waiting(is_final):
        call.responses.append(peer.expect_response(invite, final=True, within=0))
    hang_ups: list[Request] = []
    while waiting(is_hang_up):
        hang_ups.append(peer.expect_request(within=0, where=is_hang_up))
    for request in hang_ups:
        _answer_hang_up(call, request)
    if call.final is not None and call.final.status < 300:
        ack_2xx(call)
        hang_up(call)
    return Rejection(call, call.final, hang_ups, within)


def _answer_hang_up(call: Call, request: Request) -> None:
    """A BYE naming the early dialog while it lasted (no final response had reached the peer): 200 (§15.1.2);
    any other BYE, and any CANCEL (the peer has no server transaction it could cancel): 481."""
    peer, final = call.peer, call.final
    in_early_dialog = (request.method == "BYE" and request.from_.tag == call.to_tag
                       and request.to.tag == call.invite.from_.tag
                       and (final is None or _arrival(peer, request) < _arrival(peer, final)))
    try:
        peer.respond(request, 200 if in_early_dialog else 481)
    except SendError:
        pass  # the DUT closed its connection right after the request: nothing left to answer


def _arrival(peer: SipPeer, message: Message) -> int:
    """The place of ``message`` among everything ``peer`` received."""
    return next(i for i, item in enumerate(peer.received()) if item.message is message)
