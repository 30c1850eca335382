"""The DUT as UAS with reliable provisional responses (RFC 3262): ring with 100rel, PRACK, and what the DUT
sent after its final response.

Tests using it carry ``requires("reliable_provisional")``: false in the profile makes them not-applicable;
unset, the test tries, and ``ring_reliably`` raises ``NotReliable`` when the DUT's 18x is not reliable.
"""

from __future__ import annotations

from sipconform.dut.profile import DutProfile
from sipconform.peer import NoMessage, SipPeer
from sipconform.sip import Message, Request, Response

from .uas import Call, is_final_to, ring

__all__ = ["NotReliable", "prack", "reliable_18x_after_final", "ring_reliably", "rseq_of"]


class NotReliable(NoMessage):
    """The DUT rang with a provisional response that is not reliable (no RSeq and Require: 100rel)."""


def rseq_of(response: Message) -> int | None:
    """The RSeq of a reliable provisional response (RFC 3262 §3: Require: 100rel and RSeq), else None."""
    if not isinstance(response, Response) or not 100 < response.status < 200 or not response.has("rseq"):
        return None
    requires = {t.strip().lower() for v in response.header_values("require") for t in v.split(",")}
    value = response.header_values("rseq")[0].strip()
    return int(value) if "100rel" in requires and value.isdigit() else None


def ring_reliably(peer: SipPeer, dut: DutProfile) -> tuple[Call, Response]:
    """INVITE with ``Require: 100rel`` (RFC 3262 §4); wait for the DUT's first 18x (never PRACKed here), which
    must be reliable (``NotReliable`` if not). Returns the call and that 18x."""
    call = ring(peer, dut, headers=[("Require", "100rel"), ("Supported", "100rel")])
    provisional = call.responses[-1]
    if rseq_of(provisional) is None:
        raise NotReliable(f"the DUT answered an INVITE with Require: 100rel by {provisional.start_line!r} without "
                          "RSeq and Require: 100rel: no reliable provisional response to test with")
    return call, provisional


def prack(call: Call, provisional: Response, *, cseq: int | None = None) -> Request:
    """Send the PRACK of ``provisional`` (RFC 3262 §7.2: RAck = its RSeq, the INVITE's CSeq) and return it;
    its own CSeq is ``cseq``, by default one more than the INVITE's."""
    peer, rseq = call.peer, rseq_of(provisional)
    request = peer.request("PRACK", in_dialog_of=provisional, cseq=cseq,
                           headers=[("RAck", f"{rseq} {call.invite.cseq.number} INVITE")])
    peer.send(request, peer.source_of(provisional))
    return request


def reliable_18x_after_final(call: Call, window: float) -> list[Response]:
    """Let ``window`` pass after the INVITE's final response arrived; the reliable 18x that came after it."""
    peer = call.peer
    final_at = next(r.time for r in peer.arrivals(is_final_to(call.invite)))
    peer.reactor.run_for(window)
    later = [r.message for r in peer.arrivals(lambda m: _to_invite(m, call.invite) and rseq_of(m) is not None)
             if r.time > final_at]
    return [m for m in later if isinstance(m, Response)]


def _to_invite(message: Message, invite: Request) -> bool:
    return (isinstance(message, Response) and message.cseq.method == "INVITE"
            and message.cseq.number == invite.cseq.number and message.call_id == invite.call_id)
