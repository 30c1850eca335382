"""The DUT as UAS: the peer places a call, the DUT rings, the peer cancels (RFC 3665 §3.8 flow).

Steps send, answer and wait; they return what arrived or raise ``NoMessage`` (``NotRinging`` when the DUT
answered an INVITE before ringing). They never judge: the conformance module decides whether a step that did
not reach its state is a precondition (``inconclusive``) or its clause's verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sipconform.dut.profile import TARGET_BEHAVIOURS, DutProfile
from sipconform.peer import NoMessage, SipPeer
from sipconform.peer.wirelog import WireRecord
from sipconform.sip import Message, Request, Response, ack_for_2xx, cancel_for
from sipconform.sip.build import in_dialog_request
from sipconform.sip.transports import sip_uri

Address = tuple[str, int]

__all__ = ["Address", "Call", "CancelControl", "NoTarget", "NotAnswered", "NotRinging", "ack_2xx", "answered",
           "answers_to", "await_final", "await_refreshes", "cancel", "cancel_answer", "cancel_refusal", "cancelled",
           "first_response_delay", "is_final_to", "is_ringing_to", "landing", "place", "refuses",
           "response_delay", "ring", "second_via", "sent_from", "stray_cancel", "target_uri"]


class NoTarget(NoMessage):
    """The profile names no ``[targets]`` user for the behaviour: the response awaited cannot come (a module
    that needs one says so with ``requires(target=...)``, judged before the test starts)."""


def target_uri(dut: DutProfile, transport: str, behaviour: str = "ring") -> str:
    """The Request-URI that makes the DUT behave as ``behaviour`` (the profile's ``[targets]``); a profile that
    names none leaves the test nothing to send (``NoTarget``: not the DUT's doing, the profile's)."""
    user = dut.targets.get(behaviour)
    if user is None:
        raise NoTarget(f"the profile names no [targets] {behaviour!r} user, a Request-URI with which the DUT "
                           f"{TARGET_BEHAVIOURS[behaviour]}")
    host = f"[{dut.host}]" if ":" in dut.host else dut.host
    return sip_uri(user, f"{host}:{dut.port}", transport)


class NotRinging(NoMessage):
    """The DUT answered the INVITE with a final response before the provisional response awaited."""


class NotAnswered(NoMessage):
    """The DUT answered the INVITE with another kind of final response (2xx, non-2xx) than the one awaited."""


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


# -- predicates over messages -----------------------------------------------------------------------------------
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


def answers_to(request: Request) -> Callable[[Message], bool]:
    """A predicate: is a message a response to ``request`` as a client transaction matches it (§17.1.3: top
    Via branch and CSeq method)? A wrong CSeq number is still an answer (RFC 3261 §8.2.6.2 judges it)."""
    def predicate(message: Message) -> bool:
        return (isinstance(message, Response) and message.cseq.method == request.cseq.method
                and message.top_via.branch == request.top_via.branch)
    return predicate


def refuses(answer: Response) -> bool:
    """Is ``answer`` (a response to a CANCEL) a refusal: a final response other than 200?"""
    return answer.is_final and answer.status != 200


# -- the call --------------------------------------------------------------------------------------------------
def place(peer: SipPeer, dut: DutProfile, *, behaviour: str = "ring",
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
    """Place a call and wait until the DUT sends a provisional response for which ``until`` holds (by default
    an 18x: the state in which §9.2 has a CANCEL cancel something and the early dialog has its To tag).
    ``NotRinging`` if a final response comes first; ``NoMessage`` if nothing comes within Timer B."""
    call = place(peer, dut, behaviour=behaviour, edit=edit, auto_ack=auto_ack, **invite_kw)
    while True:
        response = peer.expect_response(call.invite)
        call.responses.append(response)
        if response.is_final:
            raise NotRinging(f"the DUT answered the INVITE for {call.invite.uri} with {response.start_line!r} "
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


def cancelled(call: Call, *, within: float | None = None) -> Request:
    """Send the CANCEL and wait (up to ``within``, by default Timer F) for its final response, whatever it
    is; kept as ``call.cancel_response``."""
    request = cancel(call)
    call.cancel_response = call.peer.expect_response(request, final=True, within=within)
    return request


def stray_cancel(call: Call, request: Request, *, watch: float) -> tuple[Response, list[WireRecord]]:
    """Send ``request`` (a CANCEL of the call that differs from the §9.1 one), take its final response, then
    watch ``watch`` more for the call's INVITE to end; returns that response and the INVITE's final responses
    received so far (those that came along with the CANCEL's response too)."""
    peer = call.peer
    peer.send(request)
    answer = peer.expect_response(request, final=True)
    ended = is_final_to(call.invite)
    peer.wait_until(lambda: bool(peer.arrivals(ended)), within=watch)
    return answer, peer.arrivals(ended)


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


def await_final(call: Call, *, within: float | None = None) -> Response:
    """Wait for the final response to the call's INVITE, each response within ``within`` (default Timer B);
    ``NoMessage`` if none came, saying what the call's CANCEL was answered if it was refused."""
    peer = call.peer
    try:
        while call.final is None:
            call.responses.append(peer.expect_response(call.invite, within=within))
    except NoMessage as exc:
        refusal = cancel_refusal(call)
        if refusal is None:
            raise
        raise NoMessage(f"{exc} The call's CANCEL was answered {refusal.start_line!r}.") from None
    return call.final


def answered(peer: SipPeer, dut: DutProfile, *, behaviour: str = "answer", **invite_kw: Any) -> Call:
    """Call the DUT's ``behaviour`` target and wait for the final response it gives at once: a 2xx for
    ``answer``, a non-2xx for ``busy``. ``NoMessage`` if none came, ``NotAnswered`` if the other kind came."""
    call = place(peer, dut, behaviour=behaviour, **invite_kw)
    final = await_final(call)
    wanted_2xx = behaviour == "answer"
    if (final.status < 300) != wanted_2xx:
        raise NotAnswered(f"the DUT answered {final.start_line!r} to an INVITE for {call.invite.uri}, not a "
                          f"{'2xx' if wanted_2xx else 'non-2xx'} final response")
    return call


def ack_2xx(call: Call) -> Request:
    """Send the end-to-end ACK for the call's 2xx (§13.2.2.4)."""
    final = call.final
    if final is None or final.status >= 300:
        raise ValueError("ack_2xx needs a call answered 2xx")
    ack = ack_for_2xx(call.invite, final, via=f"{call.invite.top_via.sent_protocol} {call.peer.sent_by}"
                                                f";branch={call.peer.new_branch()};rport")
    call.peer.send(ack, call.peer.source_of(final))
    return ack


def end(call: Call, *, cseq_number: int | None = None) -> Response:
    """End the call's confirmed dialog with BYE (§15.1.1; CSeq ``cseq_number``, default one more than the
    INVITE's) and return the final response to it."""
    final = call.final
    if final is None or final.status >= 300:
        raise ValueError("end needs a call answered 2xx")
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


def await_refreshes(call: Call, limit: float, count: int) -> list[WireRecord]:
    """§13.3.1.1: after the ringing call's last 18x, wait for ``count`` more non-100 provisionals to its INVITE,
    each up to ``limit`` after the one before (wire arrival times, absorbed retransmissions included). Returns
    the 18x that opened the wait and what came after it in time: each refresh, then a final response if one
    ended the ringing; fewer than ``count`` refreshes if one was ``limit`` late."""
    peer, ringing, final = call.peer, is_ringing_to(call.invite), is_final_to(call.invite)
    seen = [peer.arrivals(ringing)[-1]]

    def news() -> list[WireRecord]:
        return [r for r in peer.arrivals(lambda m: ringing(m) or final(m)) if r.time > seen[-1].time]

    while len(seen) <= count and not (seen[-1].message is not None and final(seen[-1].message)):
        peer.wait_until(lambda: bool(news()), within=max(0.0, seen[-1].time + limit - peer.reactor.elapsed()))
        if not news():
            break
        seen.append(news()[0])
    return seen


# -- where a response went (§18.2.2, RFC 3581) -------------------------------------------------------------------
def response_delay(peer: SipPeer, request: Request) -> float:
    """Seconds from ``request`` leaving ``peer`` to the first response to it arriving there (wire log times)."""
    records = peer.wire.records
    sent = next(r.time for r in records if r.direction == "out" and r.message is not None
                and isinstance(r.message, Request) and r.message.method == request.method
                and r.message.top_via.branch == request.top_via.branch)
    answered_at = next(r.time for r in records if r.direction == "in" and r.message is not None
                       and answers_to(request)(r.message))
    return answered_at - sent


def first_response_delay(call: Call) -> float:
    """Seconds from the INVITE leaving the peer to the first response to it arriving (wire log times)."""
    return response_delay(call.peer, call.invite)


def sent_from(peer: SipPeer, request: Request) -> Address:
    """The local address ``request`` left the peer from (over TCP: its connection's end)."""
    return next(r.local for r in peer.wire.records if r.direction == "out" and r.message is not None
                and isinstance(r.message, Request) and r.message.method == request.method
                and r.message.top_via.branch == request.top_via.branch)


def landing(peers: Sequence[SipPeer], request: Request, within: float) -> tuple[SipPeer, Response]:
    """Wait up to ``within`` for a response to ``request`` at any of ``peers`` (the one that sent it,
    and the ones a Via may point to): the first peer it reached and that response (``NoMessage`` if none)."""
    match = answers_to(request)

    def arrived() -> tuple[SipPeer, Response] | None:
        for peer in peers:
            records = peer.arrivals(match)
            if records and isinstance(records[0].message, Response):
                return peer, records[0].message
        return None

    peers[0].wait_until(lambda: arrived() is not None, within=within)
    where = arrived()
    if where is None:
        raise NoMessage(f"no response to the {request.method} reached any of {[p.name for p in peers]} within "
                        f"{within:.3g} s")
    return where


class CancelControl:
    """The control for CANCEL variants the DUT refused (not 200): another call rings and gets its plain §9.1
    CANCEL, once (the examples of a property share it). Refused as well, the DUT refuses every CANCEL, and a
    variant's refusal says nothing about what the variant tries."""

    def __init__(self, peer: SipPeer, dut: DutProfile) -> None:
        self.peer, self.dut = peer, dut
        self._answer: Response | None = None

    def plain_answer(self) -> Response:
        """The final response to the plain CANCEL of a ringing call (asked the first time only)."""
        if self._answer is None:
            control = ring(self.peer, self.dut)
            self._answer = control.peer.expect_response(cancel(control), final=True)
        return self._answer

