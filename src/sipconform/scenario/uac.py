"""DUT-as-UAC steps: the upper tester makes the DUT call the peer, the peer rings, the upper tester hangs
up, and the peer sees the CANCEL (RFC 3665 §3.8 flow, seen from the callee).

A step the DUT never reaches (no upper tester, no INVITE, no CANCEL after the hang-up, no ACK) raises
``Inconclusive``: the clause was never exercised. Every wait is a peer wait bounded by the DUT's timers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sipconform.dut.upper_tester import UpperTester, UpperTesterError, UpperTesterMissing
from sipconform.peer import NoMessage, Received, SendError, SipPeer
from sipconform.sip import Message, Request, Response
from sipconform.verdict import Inconclusive, precondition

__all__ = ["IncomingCall", "SilentCall", "Target", "ack_matched_the_invite", "acks_of", "act", "answer", "answer_bye", "answer_request", "arrival", "await_ack",
           "await_cancel_settled", "expect_cancel", "refused",
           "cancel_or_malformed",
           "await_cancel", "await_copies", "await_first", "await_request", "await_retransmission", "cancelled", "dial",
           "cancelled_reinvite", "copies", "established", "finish", "hang_up", "incoming_call", "incoming_call_at",
           "reack_counts", "reinvited", "resend", "ringing", "same_request", "sdp_answer", "silent_hang_up",
           "terminated", "transmission_times", "unparseable"]


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


def act(action: Callable[[], None], what: str) -> None:
    """Run an upper tester action; one the upper tester cannot do leaves the test inconclusive."""
    try:
        action()
    except UpperTesterMissing as exc:
        raise Inconclusive(f"no upper tester to make the DUT {what}: {exc}") from None


def dial(upper: UpperTester, target: Target) -> None:
    """Make the DUT call ``target`` (inconclusive without an upper tester that can)."""
    act(lambda: upper.call(target), "call")


def incoming_call(peer: SipPeer, upper: UpperTester, target: Target | None = None) -> IncomingCall:
    """Make the DUT call the peer and wait for its INVITE (within Timer B of the DUT's T1)."""
    dial(upper, target or Target.of(peer))
    with precondition("the DUT sends an INVITE to the peer when the upper tester makes it call"):
        invite = peer.expect_request("INVITE")
    return IncomingCall(peer, upper, invite)


def incoming_call_at(peers: Sequence[SipPeer], upper: UpperTester, target: Target) -> IncomingCall:
    """Make the DUT call ``target`` and take its INVITE at whichever of ``peers`` it reaches first."""
    dial(upper, target)
    peer, invite = await_request(peers, "INVITE", "the DUT sends an INVITE when the upper tester makes it call")
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


def ringing(peer: SipPeer, upper: UpperTester, status: int = 180, target: Target | None = None) -> IncomingCall:
    """``incoming_call``, answered with a provisional response (180 with a To tag by default)."""
    call = incoming_call(peer, upper, target)
    answer(call, status)
    return call


def hang_up(call: IncomingCall, *, tolerate_errors: bool = False) -> None:
    """Make the DUT hang up through the upper tester. ``tolerate_errors``: an upper tester that reports
    there is nothing to hang up (the call already ended) is not a problem for the test."""
    try:
        act(call.upper.hang_up, "hang up")
    except UpperTesterError:
        if not tolerate_errors:
            raise


def _of_call(call: IncomingCall, method: str) -> Callable[[Request], bool]:
    return lambda r: r.method == method and r.call_id == call.invite.call_id


def await_cancel(call: IncomingCall, *, within: float | None = None, hang: bool = True) -> Request:
    """Hang up through the upper tester (unless ``hang`` is False) and wait for the DUT's CANCEL."""
    if hang:
        hang_up(call)
    with precondition("the DUT sends a CANCEL when the upper tester hangs up a ringing call"):
        return expect_cancel(call, within=within)


def expect_cancel(call: IncomingCall, *, within: float | None = None) -> Request:
    """Take the DUT's CANCEL of the call, waiting up to ``within`` (default Timer B). A CANCEL the peer could
    not accept (unparseable, or lacking a mandatory header field) ends the wait at once: the awaited CANCEL
    will not come (its retransmissions are no better): ``Inconclusive`` naming the problem (the clause the
    broken header field belongs to judges it; a test needing the CANCEL cannot go on)."""
    peer, of_call = call.peer, _of_call(call, "CANCEL")

    def came() -> bool:
        return any(isinstance(m, Request) and of_call(m) for m in peer.unconsumed())

    peer.reactor.run_until(lambda: came() or bool(unparseable(peer, "CANCEL")),
                           peer.clock.now() + (peer.timers.b if within is None else within))
    if not came() and (broken := unparseable(peer, "CANCEL")):
        raise Inconclusive(f"precondition not reached: the DUT sends a CANCEL the peer can accept: {broken[0].error}")
    return peer.expect_request("CANCEL", within=0, where=of_call)


def cancelled(peer: SipPeer, upper: UpperTester, status: int = 180,
              target: Target | None = None) -> tuple[IncomingCall, Request]:
    """The DUT calls, the peer rings (``status``), the DUT hangs up: the call and the DUT's CANCEL."""
    call = ringing(peer, upper, status, target)
    return call, await_cancel(call)


def await_ack(call: IncomingCall, *, within: float | None = None, what: str = "") -> Request:
    """The ACK of the INVITE's final response (same Call-ID and CSeq number), as a precondition."""
    number, branch, peer = call.invite.cseq.number, call.invite.top_via.branch, call.peer
    with precondition(what or "the DUT ACKs the final response to its INVITE"):
        ack = peer.expect_request(
            "ACK", within=within, where=lambda r: r.call_id == call.invite.call_id and r.cseq.number == number)
    if ack.top_via.branch == branch:
        return ack
    # Another branch: an ACK of a 2xx (a 200 to the CANCEL taken for the INVITE's, RFC3261-17.1.3-1), or the
    # final's ACK on a wrong branch (RFC3261-17.1.1.3-3). An ACK on the INVITE's branch within T1 is the one.
    try:
        return peer.expect_request("ACK", within=peer.timers.t1, where=acks_of(call))
    except NoMessage:
        return ack


def terminated(peer: SipPeer, upper: UpperTester, *, to_tag: str | None = None,
               target: Target | None = None) -> tuple[IncomingCall, Request, Response, Request]:
    """The whole §9.1 flow: ring, hang-up, CANCEL answered 200, INVITE answered 487 (with ``to_tag``, by
    default the 180's), and the DUT's ACK for the 487 (within 64*T1, as a precondition)."""
    call, cancel = cancelled(peer, upper, target=target)
    peer.respond(cancel, 200)
    final = answer(call, 487, to_tag=to_tag)
    return call, cancel, final, await_ack(call, what="the DUT ACKs the 487 to its cancelled INVITE")


def established(peer: SipPeer, upper: UpperTester) -> tuple[IncomingCall, Response]:
    """The DUT calls, the peer answers 200 at once and the DUT ACKs it: the call and the 2xx."""
    call = incoming_call(peer, upper)
    ok = answer(call, 200)
    await_ack(call, what="the DUT ACKs the 2xx to its INVITE")
    return call, ok


def reinvited(call: IncomingCall) -> Request:
    """Make the DUT send a re-INVITE in the established call; the re-INVITE (as a precondition)."""
    act(call.upper.reinvite, "send a re-INVITE")
    with precondition("the DUT sends a re-INVITE in the call when the upper tester asks for one"):
        return call.peer.expect_request(
            "INVITE", where=lambda r: r.call_id == call.invite.call_id and r.to.tag is not None)


def cancelled_reinvite(call: IncomingCall) -> tuple[Request, Request]:
    """``reinvited``; the peer rings (180); the upper tester cancels: the re-INVITE and the DUT's CANCEL
    (as a precondition). The peer answers the CANCEL 200 and the re-INVITE 487 and waits (8*T1) for the
    ACK of the 487, as a precondition too."""
    peer = call.peer
    reinvite = reinvited(call)
    peer.respond(reinvite, 180)
    act(call.upper.cancel, "cancel its re-INVITE")
    with precondition("the DUT sends a CANCEL when the upper tester cancels its ringing re-INVITE"):
        cancel = expect_cancel(call)
    peer.respond(cancel, 200)
    peer.respond(reinvite, 487)
    with precondition("the DUT ACKs the 487 to its re-INVITE"):
        peer.expect_request("ACK", within=8 * peer.timers.t1, where=lambda r: r.call_id == reinvite.call_id
                            and r.cseq.number == reinvite.cseq.number)
    return reinvite, cancel


def finish(call: IncomingCall, cancel: Request | None = None, *, window: float | None = None) -> None:
    """Leave the DUT idle, asserting nothing: answer a pending CANCEL 200 and, if the INVITE has no final
    response yet, answer it 487 and give the DUT ``window`` (default 4*T1) to ACK, taking that ACK."""
    peer = call.peer
    if cancel is not None:
        try:
            peer.respond(cancel, 200)
        except Exception:  # noqa: BLE001 - already answered, or its transaction ended
            pass
    if any(r.status >= 200 for r in call.responses):
        return
    try:
        answer(call, 487)
    except Exception:  # noqa: BLE001 - the test answered it itself, or the transaction ended
        return
    try:
        await_ack(call, within=4 * peer.timers.t1 if window is None else window)
    except Inconclusive:
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
    peer watches: over UDP until the DUT has retransmitted its INVITE twice (Timer A fires at T1 and
    2*T1 later, so by 3*T1; the deadline is 6*T1), which shows it alive and still waiting for a response
    to its INVITE; over TCP (no retransmissions) for 4*T1. It stops early at a CANCEL."""
    call = incoming_call(peer, upper)
    hang_up(call)
    invite = call.invite

    def is_cancel(m: Message) -> bool:
        return isinstance(m, Request) and m.method == "CANCEL" and m.call_id == invite.call_id

    def is_invite(m: Message) -> bool:
        return (isinstance(m, Request) and m.method == "INVITE" and m.call_id == invite.call_id
                and m.cseq.number == invite.cseq.number)

    t1 = peer.timers.t1
    window = 6 * t1 if peer.transport == "udp" else 4 * t1
    stop = lambda: bool(copies(peer, is_cancel))  # noqa: E731
    if peer.transport == "udp":
        retransmissions: int | None = len(await_copies(peer, is_invite, 3, window, stop=stop)) - 1
    else:
        retransmissions = None
        peer.reactor.run_until(stop, peer.clock.now() + window)
    return SilentCall(call, copies(peer, is_cancel), retransmissions, window)


def answer_bye(call: IncomingCall, *, within: float) -> Request | None:
    """Answer 200 to the DUT's BYE for the call if one comes within ``within`` seconds (else None)."""
    return answer_request(call, "BYE", within=within)


def answer_request(call: IncomingCall, method: str, *, within: float) -> Request | None:
    """Answer 200 to the DUT's ``method`` request of the call if one comes within ``within`` (else None)."""
    try:
        request = call.peer.expect_request(method, within=within, where=_of_call(call, method))
    except AssertionError:
        return None
    try:
        call.peer.respond(request, 200)
    except SendError:
        pass  # the DUT closed its connection right after the request: nothing left to answer
    return request


# ---- what arrived, and when ----------------------------------------------------------------------------
def copies(peer: SipPeer, match: Callable[[Message], bool]) -> list[Received]:
    """Everything ``peer`` received that satisfies ``match``, retransmissions absorbed by its
    transactions included (they never reach the inbox, but the peer records them)."""
    return [item for item in peer.received() if item.message is not None and match(item.message)]


def await_copies(peer: SipPeer, match: Callable[[Message], bool], count: int, within: float,
                 *, stop: Callable[[], bool] | None = None) -> list[Received]:
    """Pump the test's reactor until ``count`` copies satisfying ``match`` were received, ``stop()``
    holds, or ``within`` seconds pass; return the copies seen."""
    peer.reactor.run_until(lambda: len(copies(peer, match)) >= count or (stop is not None and stop()),
                           peer.clock.now() + within)
    return copies(peer, match)


def same_request(request: Request) -> Callable[[Message], bool]:
    """Copies of ``request`` (its retransmissions): same method, Call-ID and top Via branch."""
    branch = request.top_via.branch

    def match(m: Message) -> bool:
        return (isinstance(m, Request) and m.method == request.method and m.call_id == request.call_id
                and m.top_via.branch == branch)
    return match


def acks_of(call: IncomingCall, *, any_branch: bool = False) -> Callable[[Message], bool]:
    """ACKs for a non-2xx final response to the call's INVITE: its Call-ID, CSeq number and branch
    (``any_branch``: whatever their branch, when a wrong one is another clause's business, RFC3261-17.1.1.3-3)."""
    invite = call.invite

    def match(m: Message) -> bool:
        return (isinstance(m, Request) and m.method == "ACK" and m.call_id == invite.call_id
                and m.cseq.number == invite.cseq.number and (any_branch or m.top_via.branch == invite.top_via.branch))
    return match


def await_cancel_settled(call: IncomingCall, cancel: Request) -> None:
    """Precondition of a test that reads a later CANCEL as the DUT's TU acting anew: the peer answered
    ``cancel`` 200 at once, and the DUT's CANCEL client transaction took that 200 (§17.1.2.2: its
    retransmissions stop). Watch until 2*T1 after the CANCEL came (Timer E fires T1 after it); a copy later
    than T1/2 after it (one may cross the 200) means the 200 never reached the transaction, and a CANCEL
    sent later cannot be told from a retransmission."""
    peer, t1 = call.peer, call.peer.timers.t1
    came = arrival(peer, cancel).time
    match = same_request(cancel)

    def again() -> list[Received]:
        return [i for i in copies(peer, match) if i.time > came + t1 / 2]

    peer.reactor.run_until(lambda: bool(again()), peer.clock.now() + max(0.0, came + 2 * t1 - peer.reactor.elapsed()))
    if late := again():
        raise Inconclusive("precondition not reached: the DUT's CANCEL transaction takes the 200 to it "
                           f"(RFC3261-9.1-11): it sent the CANCEL again {late[0].time - came:.3f} s after the first "
                           "copy, its 200 notwithstanding, so a later CANCEL cannot be told from a retransmission")


def transmission_times(peer: SipPeer, request: Request) -> list[float]:
    """When each copy of ``request`` reached ``peer`` (seconds since the test's start), in order."""
    return [item.time for item in copies(peer, same_request(request))]


def await_retransmission(peer: SipPeer, request: Request) -> float:
    """Wait up to 4*T1 for the first retransmission of ``request`` (UDP: Timer A/E fire at T1), as a
    precondition; return when it came (seconds since the test's start)."""
    seen = await_copies(peer, same_request(request), 2, 4 * peer.timers.t1)
    if len(seen) < 2:
        raise Inconclusive(f"precondition not reached: the DUT retransmits its unanswered {request.method} over "
                           f"UDP: no retransmission within {4 * peer.timers.t1:.3g} s")
    return seen[1].time


def resend(call: IncomingCall, response: Response) -> None:
    """Send ``response`` (to the INVITE or its CANCEL) again as it was, to where the INVITE came from, as a
    server transaction retransmitting it would (even once the peer's own transaction has ended)."""
    call.peer.send(response, to=arrival(call.peer, call.invite).source)


def ack_matched_the_invite(call: IncomingCall, ack: Request) -> None:
    """Precondition of counting the ACKs each copy of the 487 draws: the DUT's ACK matched the peer's INVITE
    server transaction (§17.2.3: the INVITE's top Via branch and sent-by), so the peer's own 487
    retransmissions (Timer G) stopped, and every 487 the DUT gets from then on is a copy the test sent. An
    ACK that matches no transaction is RFC3261-17.1.1.3-3's to judge."""
    want, got = call.invite.top_via, ack.top_via
    if (got.branch, got.host.lower(), got.port) != (want.branch, want.host.lower(), want.port):
        raise Inconclusive(f"the DUT's ACK for the 487 has Via {ack.top_via.text!r}, not the INVITE's branch and "
                           f"sent-by ({want.text!r}): it matched no transaction, so the peer's own 487 "
                           "retransmissions went on and the ACKs of a copy cannot be counted (see RFC3261-17.1.1.3-3)")


def reack_counts(call: IncomingCall, final: Response, offsets: Sequence[float]) -> list[int]:
    """Re-send the INVITE's non-2xx ``final`` at each of ``offsets`` (seconds from now, increasing, at
    least 5*T1 apart) and count the ACKs each copy drew (whatever their branch): the peer waits up to 4*T1
    for the first ACK, then T1 more for any further one."""
    peer, t1 = call.peer, call.peer.timers.t1
    is_ack = acks_of(call, any_branch=True)
    start, counts = peer.clock.now(), []
    for offset in offsets:
        peer.reactor.run_until(lambda: False, start + offset)
        before = len(copies(peer, is_ack))
        resend(call, final)
        peer.reactor.run_until(lambda: len(copies(peer, is_ack)) > before, peer.clock.now() + 4 * t1)
        peer.reactor.run_for(t1)
        counts.append(len(copies(peer, is_ack)) - before)
    return counts


def cancel_or_malformed(call: IncomingCall, problem: str) -> Request:
    """Hang up, take the DUT's CANCEL and finish the call. A CANCEL that came but could not be parsed is
    a fail that says ``problem`` and the parse error, not an inconclusive "no CANCEL"."""
    try:
        cancel = await_cancel(call)
    except Inconclusive:
        finish(call)
        if broken := unparseable(call.peer, "CANCEL"):
            raise AssertionError(f"{problem}: {broken[0].error}") from None
        raise
    finish(call, cancel)
    return cancel


def unparseable(peer: SipPeer, method: str) -> list[Received]:
    """Input ``peer`` could not accept (unparseable or lacking a mandatory header) that starts like a
    ``method`` request: what a test of that header looks for when the expected request never came."""
    start = f"{method} ".encode()
    return [item for item in peer.received() if item.error is not None and item.raw.startswith(start)]


def arrival(peer: SipPeer, message: Message) -> Received:
    """How ``message`` (as returned by an ``expect_*``) reached ``peer``: source, transport, connection, time."""
    for item in peer.received():
        if item.message is message:
            return item
    raise KeyError(f"{peer.name}: that message was not received by this peer")


def await_first(peers: Sequence[SipPeer], method: str, within: float,
                where: Callable[[Request], bool] | None = None, *,
                until_refused: bool = False) -> tuple[SipPeer, Request] | None:
    """The first of ``peers`` to receive a ``method`` request (with ``where``) and that request, or None;
    ``until_refused``: None at once when input that starts like a ``method`` request could not be accepted
    (see ``refused``: the request awaited came, malformed, and its retransmissions will be no better)."""
    def ready() -> SipPeer | None:
        for p in peers:
            if any(isinstance(m, Request) and m.method == method and (where is None or where(m))
                   for m in p.unconsumed()):
                return p
        return None

    def settled() -> bool:
        return ready() is not None or (until_refused and bool(refused(peers, method)))

    if not peers or not peers[0].reactor.run_until(settled, peers[0].clock.now() + within) or ready() is None:
        return None
    found = ready()
    assert found is not None
    return found, found.expect_request(method, within=0, where=where)


def await_request(peers: Sequence[SipPeer], method: str, what: str, *, within: float | None = None,
                  where: Callable[[Request], bool] | None = None) -> tuple[SipPeer, Request]:
    """``await_first`` as a precondition (default wait: Timer B of the first peer)."""
    found = await_first(peers, method, peers[0].timers.b if within is None else within, where, until_refused=True)
    if found is None:
        raise Inconclusive(f"precondition not reached: {what}: no {method} reached "
                           f"{' or '.join(p.name for p in peers)}{refused(peers, method)}")
    return found


def refused(peers: Sequence[SipPeer], method: str) -> str:
    """``"; the one that came could not be accepted: <error>"`` when one of ``peers`` got input starting like
    a ``method`` request that it could not accept (see ``unparseable``), else ``""``."""
    broken = [item for p in peers for item in unparseable(p, method)]
    return f"; the one that came could not be accepted: {broken[0].error}" if broken else ""


def sdp_answer(peer: SipPeer, version: int = 1) -> bytes:
    """A minimal SDP answer (RFC 3264) for a 2xx, or an offer (they look alike): PCMU on a port nothing
    listens on; ``version`` is the o= version (one more for each change of the session, RFC 3264 §8)."""
    host = peer.address[0]
    ip = "IP6" if ":" in host else "IP4"
    return (f"v=0\r\no=- 1 {version} IN {ip} {host}\r\ns=-\r\nc=IN {ip} {host}\r\nt=0 0\r\n"
            f"m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n").encode()
