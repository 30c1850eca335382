"""DUT-as-UAC steps (RFC 3665 §3.8, seen from the callee): the upper tester makes the DUT call the peer
(``place``), the peer rings (``ring``), the upper tester hangs up (``hang_up``) and the peer takes the
DUT's CANCEL (``await_cancel``), answers it and the INVITE (``terminate``) and takes the ACK (``await_ack``).

A step returns what arrived, or raises ``NoMessage`` when it did not come within the step's window (the
DUT's timers); an upper tester that cannot make the DUT act raises ``NoUpperTester``, a ``NoMessage`` too.
Nothing here judges: the conformance module says which clause a missing step belongs to.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sipconform.dut.upper_tester import UpperTester, UpperTesterError
from sipconform.flows.arrivals import arrival, await_copies, await_request, copies, same_request, unparseable
from sipconform.flows.upper_tester import NoUpperTester, act
from sipconform.peer import NoMessage, Received, SendError, SipPeer
from sipconform.sip import Message, Request, Response
from sipconform.sip.transaction import TransactionError

__all__ = ["IncomingCall", "NoUpperTester", "SilentCall", "Target", "acks_of", "act", "answer", "answer_bye",
           "answer_request", "await_ack", "await_cancel", "await_retransmission", "cancel_as_sent", "cancel_reinvite",
           "dial", "establish", "finish", "hang_up", "place", "place_at", "reack_counts", "reinvite", "resend", "ring",
           "ring_and_cancel", "sdp_answer", "settle_cancel", "silent_hang_up", "terminate"]


@dataclass  # not frozen: upper_tester.CallTarget declares plain (settable) attributes
class Target:
    """Where the upper tester makes the DUT call (satisfies ``upper_tester.CallTarget``): ``uri`` is the
    callee's SIP URI; ``host``, ``port`` and ``transport`` the address the DUT is to send to, for upper
    testers that take one (an exec dialler given an outbound proxy or a remote address)."""

    uri: str
    host: str
    port: int
    transport: str

    @classmethod
    def of(cls, peer: SipPeer, user: str = "peer") -> Target:
        host, port = peer.address
        return cls(peer.uri(user), host, port, peer.transport)

    @classmethod
    def via(cls, callee: SipPeer, proxy: SipPeer, user: str = "peer") -> Target:
        """The Request-URI names ``callee``; the address is ``proxy``'s (the DUT's outbound proxy)."""
        host, port = proxy.address
        return cls(callee.uri(user), host, port, proxy.transport)


@dataclass
class IncomingCall:
    """The DUT's INVITE to the peer, and what the peer answered so far."""

    peer: SipPeer
    upper: UpperTester
    invite: Request
    to_tag: str | None = None     # the To tag of the peer's responses (its server transaction's, §8.2.6.2)
    provisional: Response | None = None
    responses: list[Response] = field(default_factory=list)


# ---- the upper tester --------------------------------------------------------------------------------
def dial(upper: UpperTester, target: Target) -> None:
    """Make the DUT call ``target``."""
    act(lambda: upper.call(target), "call")


def hang_up(call: IncomingCall, *, tolerate_errors: bool = False) -> None:
    """Make the DUT hang up through the upper tester. ``tolerate_errors``: an upper tester that reports
    there is nothing to hang up (the call already ended) is not a problem for the test."""
    try:
        act(call.upper.hang_up, "hang up", listening=call.peer)
    except UpperTesterError:
        if not tolerate_errors:
            raise


# ---- the call ----------------------------------------------------------------------------------------
def _of_call(call: IncomingCall, method: str) -> Callable[[Request], bool]:
    return lambda r: r.method == method and r.call_id == call.invite.call_id


def place(peer: SipPeer, upper: UpperTester, target: Target | None = None) -> IncomingCall:
    """Make the DUT call the peer and take its INVITE (within Timer B of the DUT's T1)."""
    dial(upper, target or Target.of(peer))
    return IncomingCall(peer, upper, peer.expect_request("INVITE"))


def place_at(peers: Sequence[SipPeer], upper: UpperTester, target: Target) -> IncomingCall:
    """Make the DUT call ``target`` and take its INVITE at whichever of ``peers`` it reaches first."""
    dial(upper, target)
    peer, invite = await_request(peers, "INVITE")
    return IncomingCall(peer, upper, invite)


def answer(call: IncomingCall, status: int, *, to_tag: str | None = None, body: bytes = b"",
           retransmit: bool | None = None, headers: Sequence[tuple[str, str]] = ()) -> Response:
    """The peer answers the INVITE (a 2xx carries ``sdp_answer`` unless ``body`` is given)."""
    if 200 <= status < 300 and not body:
        body = sdp_answer(call.peer)
    response = call.peer.respond(call.invite, status, to_tag=to_tag or call.to_tag, body=body,
                                 retransmit=retransmit, headers=headers)
    call.responses.append(response)
    if call.to_tag is None and status != 100:
        call.to_tag = response.to.tag
    if status < 200 and call.provisional is None:
        call.provisional = response
    return response


def ring(peer: SipPeer, upper: UpperTester, status: int = 180, target: Target | None = None) -> IncomingCall:
    """``place``, answered with a provisional response (180 with a To tag by default)."""
    call = place(peer, upper, target)
    answer(call, status)
    return call


def await_cancel(call: IncomingCall, *, within: float | None = None) -> Request:
    """Take the DUT's CANCEL of the call, waiting up to ``within`` (default Timer B). A CANCEL the peer could
    not accept (unparseable, or lacking a mandatory header field) ends the wait at once, ``NoMessage`` naming
    the problem: the awaited CANCEL will not come (its retransmissions are no better)."""
    peer, of_call = call.peer, _of_call(call, "CANCEL")

    def came() -> bool:
        return any(isinstance(m, Request) and of_call(m) for m in peer.unconsumed())

    peer.wait_until(lambda: came() or bool(unparseable(peer, "CANCEL")), peer.timers.b if within is None else within)
    if not came() and (broken := unparseable(peer, "CANCEL")):
        raise NoMessage(f"{peer.name}: the CANCEL that came could not be accepted: {broken[0].error}")
    return peer.expect_request("CANCEL", within=0, where=of_call)


def cancel_as_sent(call: IncomingCall) -> Request | Received:
    """Hang up and take the DUT's CANCEL as it came: the CANCEL or, when the peer could not accept it
    (unparseable, or lacking a mandatory header field), what came; ``NoMessage`` when nothing did. The call is
    finished (``finish``) either way: for a test of the CANCEL's header fields."""
    hang_up(call)
    try:
        cancel = await_cancel(call)
    except NoMessage:
        finish(call)
        if broken := unparseable(call.peer, "CANCEL"):
            return broken[0]
        raise
    finish(call, cancel)
    return cancel


def ring_and_cancel(peer: SipPeer, upper: UpperTester, status: int = 180,
                    target: Target | None = None) -> tuple[IncomingCall, Request]:
    """The DUT calls, the peer rings (``status``), the DUT hangs up: the call and the DUT's CANCEL."""
    call = ring(peer, upper, status, target)
    hang_up(call)
    return call, await_cancel(call)


def terminate(call: IncomingCall, cancel: Request, *, to_tag: str | None = None) -> Response:
    """The peer answers the CANCEL 200 and the INVITE 487 (with ``to_tag``, by default the 180's), as a UAS
    does (§9.2): the 487."""
    call.peer.respond(cancel, 200)
    return answer(call, 487, to_tag=to_tag)


def await_ack(call: IncomingCall, *, within: float | None = None) -> Request:
    """The ACK of the INVITE's final response (same Call-ID and CSeq number; default wait Timer B). Of two,
    the one on the INVITE's branch: another branch is an ACK of a 2xx (a 200 to the CANCEL taken for the
    INVITE's), or the final's ACK on a wrong branch; an ACK on the INVITE's branch within T1 is the one."""
    number, branch, peer = call.invite.cseq.number, call.invite.top_via.branch, call.peer
    ack = peer.expect_request("ACK", within=within,
                              where=lambda r: r.call_id == call.invite.call_id and r.cseq.number == number)
    if ack.top_via.branch == branch:
        return ack
    try:
        return peer.expect_request("ACK", within=peer.timers.t1, where=acks_of(call))
    except NoMessage:
        return ack


def acks_of(call: IncomingCall, *, any_branch: bool = False) -> Callable[[Message], bool]:
    """ACKs for a non-2xx final response to the call's INVITE: its Call-ID, CSeq number and branch
    (``any_branch``: whatever their branch, when a wrong one is not the test's business)."""
    invite = call.invite

    def match(m: Message) -> bool:
        return (isinstance(m, Request) and m.method == "ACK" and m.call_id == invite.call_id
                and m.cseq.number == invite.cseq.number and (any_branch or m.top_via.branch == invite.top_via.branch))
    return match


def establish(peer: SipPeer, upper: UpperTester) -> tuple[IncomingCall, Response]:
    """The DUT calls, the peer answers 200 at once and the DUT ACKs it: the call and the 2xx."""
    call = place(peer, upper)
    ok = answer(call, 200)
    await_ack(call)
    return call, ok


def reinvite(call: IncomingCall) -> Request:
    """Make the DUT send a re-INVITE in the established call; the re-INVITE."""
    act(call.upper.reinvite, "send a re-INVITE", listening=call.peer)
    return call.peer.expect_request("INVITE", where=lambda r: r.call_id == call.invite.call_id and r.to.tag is not None)


def cancel_reinvite(call: IncomingCall) -> tuple[Request, Request]:
    """``reinvite``; the peer rings (180); the upper tester cancels; the peer answers the DUT's CANCEL 200
    and the re-INVITE 487 and takes the ACK of the 487 (within ``Timers.ack``): the re-INVITE and the CANCEL."""
    peer = call.peer
    request = reinvite(call)
    peer.respond(request, 180)
    act(call.upper.cancel, "cancel its re-INVITE", listening=call.peer)
    cancel = await_cancel(call)
    peer.respond(cancel, 200)
    peer.respond(request, 487)
    peer.expect_request("ACK", within=peer.timers.ack,
                        where=lambda r: r.call_id == request.call_id and r.cseq.number == request.cseq.number)
    return request, cancel


def finish(call: IncomingCall, cancel: Request | None = None, *, window: float | None = None) -> None:
    """Leave the DUT idle: answer a pending CANCEL 200 and, if the INVITE has no final response yet, answer
    it 487 and give the DUT ``window`` (default ``Timers.immediately``) to ACK, taking that ACK. A step the
    test already took (a response sent, a transaction ended) is skipped."""
    peer = call.peer
    if cancel is not None:
        try:
            peer.respond(cancel, 200)
        except (TransactionError, SendError):
            pass  # already answered, or its transaction ended
    if any(r.status >= 200 for r in call.responses):
        return
    try:
        answer(call, 487)
    except (TransactionError, SendError):
        return  # the test answered it itself, or the transaction ended
    try:
        await_ack(call, within=peer.timers.immediately if window is None else window)
    except NoMessage:
        pass


@dataclass
class SilentCall:
    """A call the DUT hung up while the peer withheld every provisional response."""

    call: IncomingCall
    cancels: list[Received]          # CANCELs of the call received meanwhile (copies included)
    retransmissions: int | None      # INVITE retransmissions seen (UDP); None over TCP
    window: float                    # how long the peer watched after the hang-up


def silent_hang_up(peer: SipPeer, upper: UpperTester) -> SilentCall:
    """The DUT calls; the peer sends no provisional response at all; the DUT hangs up at once. Then the
    peer watches: over UDP until the DUT has retransmitted its INVITE twice (Timer A fires at T1 and 2*T1
    later: within ``Timers.transmissions(3)``, allowed ``Timers.tolerance``), which shows it alive and still
    waiting for a response to its INVITE; over TCP (no retransmissions) for ``Timers.immediately``. It stops
    early at a CANCEL."""
    call = place(peer, upper)
    hang_up(call)
    invite, timers = call.invite, peer.timers

    def is_cancel(m: Message) -> bool:
        return isinstance(m, Request) and m.method == "CANCEL" and m.call_id == invite.call_id

    def is_invite(m: Message) -> bool:
        return (isinstance(m, Request) and m.method == "INVITE" and m.call_id == invite.call_id
                and m.cseq.number == invite.cseq.number)

    def stop() -> bool:
        return bool(copies(peer, is_cancel))

    if peer.transport == "udp":
        window = timers.tolerance(timers.transmissions(3))
        retransmissions: int | None = len(await_copies(peer, is_invite, 3, window, stop=stop)) - 1
    else:
        window, retransmissions = timers.immediately, None
        peer.wait_until(stop, window)
    return SilentCall(call, copies(peer, is_cancel), retransmissions, window)


def answer_bye(call: IncomingCall, *, within: float) -> Request | None:
    """Answer 200 to the DUT's BYE for the call if one comes within ``within`` seconds (else None)."""
    return answer_request(call, "BYE", within=within)


def answer_request(call: IncomingCall, method: str, *, within: float) -> Request | None:
    """Answer 200 to the DUT's ``method`` request of the call if one comes within ``within`` (else None)."""
    try:
        request = call.peer.expect_request(method, within=within, where=_of_call(call, method))
    except NoMessage:
        return None
    try:
        call.peer.respond(request, 200)
    except SendError:
        pass  # the DUT closed its connection right after the request: nothing left to answer
    return request


# ---- retransmissions ----------------------------------------------------------------------------------
def settle_cancel(call: IncomingCall, cancel: Request) -> list[float]:
    """The peer answered ``cancel`` 200 at once; watch until ``Timers.settle`` after the CANCEL came (Timer E
    fires T1 after it) and return how long after the first copy each later one came (later than
    ``Timers.crossing``: one may cross the 200). An empty list: the DUT's CANCEL transaction took the 200."""
    peer, timers = call.peer, call.peer.timers
    came = arrival(peer, cancel).time
    match = same_request(cancel)

    def again() -> list[float]:
        return [i.time - came for i in copies(peer, match) if i.time > came + timers.crossing]

    peer.wait_until(lambda: bool(again()), max(0.0, came + timers.settle - peer.reactor.elapsed()))
    return again()


def await_retransmission(peer: SipPeer, request: Request) -> float:
    """Wait ``Timers.immediately`` for the first retransmission of ``request`` (UDP: Timer A/E fire at T1);
    return when it came (seconds since the test's start), or raise ``NoMessage``."""
    seen = await_copies(peer, same_request(request), 2, peer.timers.immediately)
    if len(seen) < 2:
        raise NoMessage(f"{peer.name}: no retransmission of the unanswered {request.method} over UDP within "
                        f"{peer.timers.immediately:.3g} s")
    return seen[1].time


def resend(call: IncomingCall, response: Response) -> None:
    """Send ``response`` (to the INVITE or its CANCEL) again as it was, to where the INVITE came from, as a
    server transaction retransmitting it would (even once the peer's own transaction has ended)."""
    call.peer.send(response, to=arrival(call.peer, call.invite).source)


def reack_counts(call: IncomingCall, final: Response, copies_sent: int = 0, *,
                 offsets: Sequence[float] = ()) -> list[int]:
    """Re-send the INVITE's non-2xx ``final`` ``copies_sent`` times, each as soon as the previous one's ACKs
    were counted (or at each of ``offsets``: seconds from now, increasing, at least 5*T1 apart), and count
    the ACKs each copy drew (whatever their branch): the peer waits ``Timers.immediately`` for the first ACK,
    then T1 more for any further one."""
    peer, is_ack = call.peer, acks_of(call, any_branch=True)
    start, counts = peer.reactor.elapsed(), []
    schedule: list[float | None] = [*offsets] if offsets else [None] * copies_sent
    for offset in schedule:
        if offset is not None:
            peer.reactor.run_for(max(0.0, start + offset - peer.reactor.elapsed()))
        counts.append(_acks_drawn(call, final, is_ack))
    return counts


def _acks_drawn(call: IncomingCall, final: Response, is_ack: Callable[[Message], bool]) -> int:
    """Send ``final`` again; the ACKs it drew within ``Timers.immediately`` and T1 more."""
    peer = call.peer
    before = len(copies(peer, is_ack))
    resend(call, final)
    peer.wait_until(lambda: len(copies(peer, is_ack)) > before, peer.timers.immediately)
    peer.reactor.run_for(peer.timers.t1)
    return len(copies(peer, is_ack)) - before


def sdp_answer(peer: SipPeer, version: int = 1) -> bytes:
    """A minimal SDP answer (RFC 3264) for a 2xx, or an offer (they look alike): PCMU on a port nothing
    listens on; ``version`` is the o= version (one more for each change of the session, RFC 3264 §8)."""
    host = peer.address[0]
    ip = "IP6" if ":" in host else "IP4"
    return (f"v=0\r\no=- 1 {version} IN {ip} {host}\r\ns=-\r\nc=IN {ip} {host}\r\nt=0 0\r\n"
            f"m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n").encode()
