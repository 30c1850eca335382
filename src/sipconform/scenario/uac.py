"""DUT-as-UAC steps: the upper tester makes the DUT call the peer, the peer rings, the upper tester hangs
up, and the peer sees the CANCEL (RFC 3665 §3.8 flow, seen from the callee).

A step the DUT never reaches (no upper tester, no INVITE, no CANCEL after the hang-up) raises
``Inconclusive``: the clause was never exercised.
"""

from __future__ import annotations

from dataclasses import dataclass

from sipconform.dut.upper_tester import UpperTester, UpperTesterMissing
from sipconform.peer import SipPeer
from sipconform.sip import Request, Response
from sipconform.verdict import Inconclusive, precondition

__all__ = ["IncomingCall", "Target", "await_cancel", "incoming_call", "ringing"]


@dataclass(frozen=True)
class Target:
    """Where the upper tester makes the DUT call: the peer (satisfies ``upper_tester.CallTarget``)."""

    uri: str
    host: str
    port: int
    transport: str

    @classmethod
    def of(cls, peer: SipPeer, user: str = "peer") -> Target:
        host, port = peer.address
        return cls(peer.uri(user), host, port, peer.transport)


@dataclass
class IncomingCall:
    """The DUT's INVITE to the peer, and what the peer answered so far."""

    peer: SipPeer
    upper: UpperTester
    invite: Request
    to_tag: str
    provisional: Response | None = None


def incoming_call(peer: SipPeer, upper: UpperTester) -> IncomingCall:
    """Make the DUT call the peer and wait for its INVITE (within Timer B of the DUT's T1)."""
    try:
        upper.call(Target.of(peer))
    except UpperTesterMissing as exc:
        raise Inconclusive(f"no upper tester to make the DUT call: {exc}") from None
    with precondition("the DUT sends an INVITE to the peer when the upper tester makes it call"):
        invite = peer.expect_request("INVITE")
    return IncomingCall(peer, upper, invite, to_tag=peer.new_tag())


def ringing(peer: SipPeer, upper: UpperTester, status: int = 180) -> IncomingCall:
    """``incoming_call``, answered with a provisional response (180 with a To tag by default)."""
    call = incoming_call(peer, upper)
    call.provisional = peer.respond(call.invite, status, to_tag=call.to_tag)
    return call


def await_cancel(call: IncomingCall) -> Request:
    """Hang up through the upper tester and wait for the DUT's CANCEL."""
    try:
        call.upper.hang_up()
    except UpperTesterMissing as exc:
        raise Inconclusive(f"no upper tester to make the DUT hang up: {exc}") from None
    with precondition("the DUT sends a CANCEL when the upper tester hangs up a ringing call"):
        return call.peer.expect_request("CANCEL", where=lambda r: r.call_id == call.invite.call_id)
