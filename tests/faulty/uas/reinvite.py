"""The faulty UAS's re-INVITE (RFC 6141): an SDP offer with 100rel in a confirmed dialog is answered in a
reliable 183 (RFC 3262) and then held, with no final response, until a CANCEL (or the no-answer timer).
Once that 183 is PRACKed the change is executed (RFC 6141 §3.3), so a CANCEL then gets 200 and the
re-INVITE a 2xx (§3.8); the faults of ``ERROR_AFTER_EXECUTED`` answer an error instead.
Any other re-INVITE in a confirmed dialog: 200 at once; outside one: 481 (§12.2.2)."""

from __future__ import annotations

from typing import Any

from sipconform.peer import SipPeer
from sipconform.flows.uac import sdp_answer
from sipconform.sip import Request

from .call import Call

Device = Any  # tu.FaultyUas (its calls, end_invite, send_reliable)
ERROR_AFTER_EXECUTED = {"reinvite-487-after-executed": 487, "reinvite-500-after-executed": 500}
"""Fault -> the error a cancelled re-INVITE gets although its change was executed."""
REINVITE = "reinvite"
"""``Call.behaviour`` of a re-INVITE held by the device."""


def on_reinvite(dev: Device, peer: SipPeer, req: Request, dialog: Call | None, *, reliable: bool) -> None:
    """A re-INVITE in ``dialog`` (None: no dialog); ``reliable``: it asks for 100rel (RFC 3262 §3)."""
    if dialog is None or not dialog.dialog:
        peer.respond(req, 481)
        return
    if not (reliable and req.body):
        peer.respond(req, 200)
        return
    call = Call(peer, req, peer.source_of(req), dialog.to_tag, REINVITE, peer.clock.now())
    dev.calls.append(call)
    dev.send_reliable(call, 183, body=sdp_answer(peer))


def executed(call: Call) -> bool:
    """RFC 6141 §3.3: the re-INVITE's offer/answer completed: its answer went in a reliable 183, PRACKed."""
    return call.behaviour == REINVITE and bool(call.reliable) and not call.unacked


def end_cancelled_reinvite(dev: Device, call: Call) -> None:
    """RFC 6141 §3.8: a cancelled re-INVITE whose change was executed gets a 2xx instead of the 487."""
    dev.end_invite(call, ERROR_AFTER_EXECUTED.get(dev.fault or "", 200))
