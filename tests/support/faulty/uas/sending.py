"""How the faulty UAS puts responses on the wire: through the request's server transaction while it takes
them, else straight to the request's source; and the response edits some faults make.

``deliver`` sends a ready-made (perhaps edited) response through ``SipPeer.respond_with``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from sipconform.peer import SipPeer
from sipconform.sip import Message, Request, Response, Timers, response_to
from sipconform.sip.transaction import (
    INVITE_SERVER,
    Do,
    Event,
    Machine,
    State,
    TransactionError,
)

Address = tuple[str, int]
Edit = Callable[[Response], Response]


def build_response(peer: SipPeer, req: Request, status: int, reason: str | None = None, *,
                   to_tag: str | None = None, headers: Iterable[tuple[str, str]] = (), body: bytes = b"") -> Response:
    """The response ``SipPeer.respond`` would build (§8.2.6), for a fault to edit before it goes."""
    extra = list(headers)
    if req.method == "INVITE" and 100 < status < 300 and not any(n.lower() in ("contact", "m") for n, _ in extra):
        extra.append(("Contact", f"<{peer.contact}>"))
    if body:
        extra.append(("Content-Type", "application/sdp"))
    tag = None if status == 100 or req.to.tag is not None else to_tag
    return response_to(peer.as_received(req), status, reason, to_tag=tag, extra=extra, body=body)


def deliver(peer: SipPeer, req: Request, response: Response, *, source: Address | None = None,
            retransmit: bool | None = None, bypass: bool = False) -> Response:
    """Send a ready ``response`` to ``req`` through its server transaction while it takes responses, else
    straight to ``source``. ``bypass``: straight away, leaving the transaction as it was (a fault)."""
    if not bypass and peer.respond_with(req, response, retransmit=retransmit):
        return response
    entry = peer.transaction_of(req)
    peer.send(response, to=source if entry is None and source is not None else None)
    return response


def send(peer: SipPeer, req: Request, status: int, *, reason: str | None = None, to_tag: str | None = None,
         headers: Iterable[tuple[str, str]] = (), edit: Edit | None = None, source: Address | None = None,
         retransmit: bool | None = None, bypass: bool = False) -> Response:
    """Answer ``req`` with ``status`` (through its transaction: Timer G retransmits an INVITE's final over
    UDP until the ACK), ``edit`` applied to the response first."""
    if edit is None and not bypass:
        try:
            return peer.respond(req, status, reason, to_tag=to_tag, headers=headers, retransmit=retransmit)
        except TransactionError:
            pass  # the transaction is over or in a state that takes no more responses: send directly
    response = build_response(peer, req, status, reason, to_tag=to_tag, headers=headers)
    return deliver(peer, req, edit(response) if edit else response, source=source, retransmit=retransmit,
                   bypass=bypass)


def ending_on_transport_error(machine: Machine) -> Machine:
    """The "drop-on-transport-error" fault's INVITE server table: RFC 3261 Figure 7, where a transport error in
    "Proceeding" or "Completed" ends the transaction (RFC 6026 §7.1 keeps it in its state)."""
    rows = {state: dict(row) for state, row in machine.transitions.items()}
    for state in (State.PROCEEDING, State.COMPLETED):
        rows[state][Event.TRANSPORT_ERROR] = (State.TERMINATED, (Do.REPORT_ERROR,))
    return replace(machine, name=f"{machine.name}, ended by a transport error", transitions=rows)


RFC3261_INVITE_SERVER = ending_on_transport_error(INVITE_SERVER)


class LongTimerH(Timers):
    """The "timer-h-long" fault's timers: Timer H is 256*T1, the rest as RFC 3261 says."""

    @property
    def h(self) -> float:
        return 256 * self.t1


def top_via_only(response: Response) -> Response:
    """``response`` with only the first of its Via values (a proxy's Via below it dropped)."""
    fields = list(response.headers)
    first = next(i for i, h in enumerate(fields) if h.key == "via")
    top = fields[first].with_value(fields[first].values()[0])
    return edited(response.with_headers([top, *(h for h in fields if h.key != "via")]))


def other_via_port(response: Response) -> Response:
    """``response`` with another sent-by port in its top Via (branch and parameters kept)."""
    fields = list(response.headers)
    first = next(i for i, h in enumerate(fields) if h.key == "via")
    top = response.top_via
    params = "".join(f";{k}" + (f"={v}" if v is not None else "") for k, v in top.params)
    changed = f"{top.protocol}/{top.version}/{top.transport} {top.host}:{(top.port or 5060) + 1}{params}"
    fields[first] = fields[first].with_value(", ".join([changed, *fields[first].values()[1:]]))
    return edited(response.with_headers(fields))


def edited(message: Message) -> Response:
    assert isinstance(message, Response)
    return message
