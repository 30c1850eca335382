"""The DUT as UAS, told by its upper tester to reject a ringing call (RFC 3261 §15): what it sends then.

The peer answers what the DUT sends (a BYE or CANCEL gets its response, a 2xx its ACK and a BYE) so the DUT
does not hang; it judges nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sipconform.peer import SendError, SipPeer
from sipconform.sip import Message, Request, Response

from .uas import Call, ack_2xx, end, is_final_to

__all__ = ["HANG_UP_METHODS", "Rejection", "await_rejection"]

HANG_UP_METHODS = ("BYE", "CANCEL")
"""What a UA sends to end a call: a callee ringing must send neither (§15, §9.1), but a non-2xx final."""


@dataclass
class Rejection:
    """A ringing call the DUT was told to reject, and what the DUT sent for it then."""

    call: Call
    final: Response | None            # the INVITE's final response (None: none within the window)
    hang_ups: list[Request]           # BYE and CANCEL requests of the call the DUT sent (answered)
    window: float                     # how long the DUT had to answer the INVITE after the reject

    @property
    def early(self) -> bool:
        """Did the ringing response create an early dialog (a To tag, §12.1)?"""
        return self.call.to_tag is not None


def await_rejection(call: Call, *, within: float, linger: float) -> Rejection:
    """§15: once the DUT was told to reject the ringing call, wait up to ``within`` for the INVITE's final
    response or a BYE/CANCEL of the call, then (after a final response, ACKed by the INVITE client
    transaction) ``linger`` more for a BYE/CANCEL. BYE and CANCEL are answered so the DUT does not hang; a 2xx
    (the DUT answered the call) is ACKed and BYE'd."""
    peer, invite = call.peer, call.invite
    is_final = is_final_to(invite)

    def is_hang_up(m: Message) -> bool:
        return isinstance(m, Request) and m.method in HANG_UP_METHODS and m.call_id == invite.call_id

    def waiting(match: Callable[[Message], bool]) -> bool:
        return any(match(m) for m in peer.unconsumed())

    peer.wait_until(lambda: waiting(is_final) or waiting(is_hang_up), within)
    if waiting(is_final) and not waiting(is_hang_up):
        peer.wait_until(lambda: waiting(is_hang_up), linger)
    if waiting(is_final):
        call.responses.append(peer.expect_response(invite, final=True, within=0))
    hang_ups: list[Request] = []
    while waiting(is_hang_up):
        hang_ups.append(peer.expect_request(within=0, where=is_hang_up))
    for request in hang_ups:
        _answer_hang_up(call, request)
    if call.final is not None and call.final.status < 300:
        ack_2xx(call)
        end(call)
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
