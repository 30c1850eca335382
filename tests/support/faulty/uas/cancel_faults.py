"""The CANCEL faults, grouped by the step of §9.2 they break: turning the CANCEL away before looking for
its transaction (``refusal``), finding that transaction (``matches``), answering the CANCEL
(``CANCEL_200``), and ending the cancelled INVITE (``ENDINGS``). A name missing from a group means
that step is done as RFC 3261 says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sipconform.peer import SipPeer
from sipconform.sip import Request, Timers, cancel_matches

from .call import Call
from .faults import (
    ALLOW,
    KNOWN_HEADERS,
    KNOWN_REASON_PROTOCOLS,
    NOT_APPLICABLE_TO_CANCEL,
)
from .sending import LongTimerH, edited, other_via_port, send, top_via_only

Refusal = tuple[int, str | None, list[tuple[str, str]]]
Device = Any  # tu.FaultyUas (its end_invite, timers)


# -- turned away before matching ------------------------------------------------------------------------------
def _unknown_header(req: Request) -> Refusal | None:
    unknown = [h.name for h in req.headers if h.key not in KNOWN_HEADERS]
    return (400, f"Unknown header field {unknown[0]}", []) if unknown else None


def _not_applicable_header(req: Request) -> Refusal | None:
    misplaced = [h.name for h in req.headers if h.key in NOT_APPLICABLE_TO_CANCEL]
    return (400, f"{misplaced[0]} not applicable to CANCEL", []) if misplaced else None


def _unknown_reason(req: Request) -> Refusal | None:
    protocols = [v.split(";")[0].strip().lower() for v in req.header_values("reason")]
    return (400, "Unknown Reason protocol", []) if any(p not in KNOWN_REASON_PROTOCOLS for p in protocols) else None


def _extension_required(req: Request) -> Refusal | None:
    tags = [*req.header_values("require"), *req.header_values("proxy-require")]
    return (420, None, [("Unsupported", ", ".join(tags))]) if tags else None


REFUSALS: dict[str, Callable[[Request], Refusal | None]] = {
    "cancel-not-allowed-405": lambda _: (405, None, [("Allow", ALLOW.replace("CANCEL, ", ""))]),
    "challenge-cancel": lambda _: (407, None, [("Proxy-Authenticate", 'Digest realm="faulty.invalid", '
                                                                      'nonce="0f1e2d3c4b5a", algorithm=MD5')]),
    "require-in-cancel-420": _extension_required,
    "unknown-header-400": _unknown_header,
    "na-header-400": _not_applicable_header,
    "reason-400": _unknown_reason,
}


def refusal(fault: str | None, req: Request) -> Refusal | None:
    """How a fault turns the CANCEL ``req`` away (status, reason, header fields), or None."""
    check = REFUSALS.get(fault or "")
    return check(req) if check else None


# -- matching (§17.2.3) ---------------------------------------------------------------------------------------
def _same_dialog_fields_and_sent_by(invite: Request, cancel: Request) -> bool:
    via, invite_via = cancel.top_via, invite.top_via
    return (cancel.call_id == invite.call_id and cancel.cseq.number == invite.cseq.number
            and cancel.from_.tag == invite.from_.tag
            and (via.host.lower(), via.port) == (invite_via.host.lower(), invite_via.port))


def _same_branch(invite: Request, cancel: Request) -> bool:
    return (invite.top_via.is_rfc3261_branch
            and (cancel.top_via.branch or "").lower() == (invite.top_via.branch or "").lower())


_RFC3261_MATCHERS: dict[str, Callable[[Request, Request], bool]] = {  # for a CANCEL with a magic-cookie branch
    "match-ignores-branch": _same_dialog_fields_and_sent_by,
    "match-ignores-sent-by": _same_branch,
}


def matches(fault: str | None, invite: Request, cancel: Request) -> bool:
    """§9.2: the transaction a CANCEL cancels is found by §17.2.3, or a fault's idea of it."""
    rfc3261 = cancel.top_via.is_rfc3261_branch
    if fault == "no-rfc2543-matching" and not rfc3261:
        return False
    if fault == "match-on-call-id-only":
        return cancel.call_id == invite.call_id
    if rfc3261 and fault in _RFC3261_MATCHERS:
        return _RFC3261_MATCHERS[fault](invite, cancel)
    return cancel_matches(invite, cancel)


# -- the 200 to the CANCEL (§9.2 ¶5) ----------------------------------------------------------------------------
def _forget_transaction(peer: SipPeer, req: Request) -> None:
    entry = peer.transaction_of(req)  # the fault: this transaction is forgotten at once
    if entry is not None:
        peer.forget(entry)


def _copies_are_new(peer: SipPeer, req: Request) -> None:
    """The CANCEL's transaction is forgotten once answered, and a copy that came while it was still in
    Trying (absorbed by the transaction layer before this device's TU ran) is taken for a new CANCEL too:
    481 for each, so the fault shows whichever way the copies were timed."""
    _forget_transaction(peer, req)
    copies = sum(1 for r in peer.wire.records if r.direction == "in" and r.message is not None
                 and getattr(r.message, "method", None) == "CANCEL" and r.message.top_via.branch == req.top_via.branch)
    for _ in range(copies - 1):
        send(peer, req, 481, source=peer.source_of(req), bypass=True)


def _short_timer_j(dev: Device, peer: SipPeer, req: Request) -> None:
    entry = peer.transaction_of(req)  # this transaction's own timers, Timer J = 4*T1
    if entry is not None:
        entry.tx.timers = Timers(t1=dev.timers.t1 / 16, t2=dev.timers.t2, t4=dev.timers.t4)


def _on_invite_connection(call: Call, peer: SipPeer, req: Request) -> None:
    invite_entry, cancel_entry = peer.transaction_of(call.invite), peer.transaction_of(req)
    if invite_entry is not None and cancel_entry is not None and invite_entry.conn is not None:
        cancel_entry.conn = invite_entry.conn


def _ok(dev: Device, call: Call, peer: SipPeer, req: Request) -> None:
    """The 200 (CANCEL), through the seam ``cancel_200`` when the fault is an edit of it (a data row)."""
    if not dev.seams.edits:
        peer.respond(req, 200, to_tag=call.to_tag)
        return
    send(peer, req, 200, to_tag=call.to_tag, edit=lambda r: dev.seams.outgoing(
        "cancel_200", r, to=req.to.text, cseq=req.cseq.number + 1, call_id=req.call_id))


def _edited_ok(edit: Callable[[Request, Any], Any]) -> Callable[[Device, Call, SipPeer, Request], None]:
    """A 200 to the CANCEL that ``edit(cancel, response)`` spoils before it goes."""
    return lambda dev, call, peer, req: send(peer, req, 200, to_tag=call.to_tag,
                                             edit=lambda r: edited(edit(req, r)))


def _after(step: Callable[..., None], then: Callable[..., None] = _ok) -> Callable[[Device, Call, SipPeer, Request], None]:
    def both(dev: Device, call: Call, peer: SipPeer, req: Request) -> None:
        step(dev, call, peer, req)
        then(dev, call, peer, req)
    return both


CANCEL_200: dict[str, Callable[[Device, Call, SipPeer, Request], None]] = {
    "cancel-200-on-invite-connection": _after(lambda dev, call, peer, req: _on_invite_connection(call, peer, req)),
    "180-to-cancel": _after(lambda dev, call, peer, req: peer.respond(req, 180, to_tag=call.to_tag)),
    "100-to-cancel": _after(lambda dev, call, peer, req: peer.respond(req, 100)),
    "cancel-200-other-to-tag": lambda dev, call, peer, req: peer.respond(req, 200, to_tag=peer.new_tag()),
    "cancel-200-bad-via": _edited_ok(lambda req, r: other_via_port(r)),
    "cancel-copy-481": _after(_ok, lambda dev, call, peer, req: _copies_are_new(peer, req)),
    "cancel-without-transaction": lambda dev, call, peer, req: send(peer, req, 200, to_tag=call.to_tag, bypass=True),
    "cancel-timer-j-short": _after(lambda dev, call, peer, req: _short_timer_j(dev, peer, req)),
    "487-to-cancel": lambda dev, call, peer, req: peer.respond(req, 487, to_tag=call.to_tag),
}


def answer_cancel(dev: Device, call: Call, peer: SipPeer, req: Request) -> None:
    """§9.2: 200 to the CANCEL; "the To tag of the response to the CANCEL and the To tag in the response to
    the original request SHOULD be the same"; or a fault's answer."""
    CANCEL_200.get(dev.fault or "", _ok)(dev, call, peer, req)


# -- ending the cancelled INVITE (§9.2 ¶5: "SHOULD immediately respond to the INVITE with a 487") ---------------
def _leave_pending(dev: Device, call: Call) -> None:
    call.behaviour = "forgotten"  # ... and never answered (until the no-answer timer)


def _long_timer_h(dev: Device, call: Call) -> None:
    entry = call.peer.transaction_of(call.invite)
    if entry is not None:
        entry.tx.timers = LongTimerH(t1=dev.timers.t1, t2=dev.timers.t2, t4=dev.timers.t4)
    dev.end_invite(call, 487)


ENDINGS: dict[str, Callable[[Device, Call], None]] = {
    "cancel-leaves-invite-pending": _leave_pending,
    "no-487": lambda dev, call: dev.end_invite(call, 480),
    "487-new-to-tag": lambda dev, call: dev.end_invite(call, 487, to_tag=call.peer.new_tag()),
    "487-drops-via": lambda dev, call: dev.end_invite(call, 487, edit=top_via_only),
    "487-not-retransmitted": lambda dev, call: dev.end_invite(call, 487, retransmit=False),
    "timer-h-long": _long_timer_h,
}


def end_cancelled_invite(dev: Device, call: Call) -> None:
    ENDINGS.get(dev.fault or "", lambda dev, call: dev.end_invite(call, 487))(dev, call)
