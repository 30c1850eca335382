"""DUT-as-proxy steps: an upstream UAC peer calls one to three downstream UAS peers through the DUT, the
branches ring or stay silent, the UAC cancels (RFC 3665 §3.8 flow, RFC 3261 §16.10).

Every downstream response carries ``X-Sipconform-Origin: <peer name>``, so the UAC can tell a response
relayed from downstream (the header travels with it) from one the DUT generated itself. A step sends,
answers or waits, and returns what arrived; a wait that sees nothing raises ``NoMessage`` (an
``AssertionError``): the conformance module decides whether that is a precondition or its verdict.
The profile's ``[capabilities]`` are read in ``sipconform.flows.proxy_profile``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sipconform.dut.profile import DutProfile
from sipconform.flows.proxy_profile import downstream_transport, fork_header, routing
from sipconform.peer import NoMessage, Received, SipPeer
from sipconform.peer.transport import closed_tcp_port
from sipconform.sip import Message, Request, Response, Via, cancel_for, response_to
from sipconform.sip.timers import HOST_SLACK

__all__ = [
    "LEGS", "MARK", "Branch", "ProxiedCall", "Unanswerable", "ack_again", "answer_cancel", "await_ack",
    "await_cancel", "await_cancel_response", "await_final", "await_provisional", "cancel_and_ack", "cancel_received",
    "cancelled_call", "cancel_upstream", "cancels_after", "downstream", "end_branch", "finals_after", "gave_up",
    "place_call", "provisional", "proxy_route", "reach_branches", "relayed", "requests_seen", "resend",
    "responses_seen", "ringing", "send_stray", "unreachable_sent_by",
]

MARK = "X-Sipconform-Origin"
LEGS = ("same", "other")
"""``downstream`` parametrisation: downstream peers on the UAC's transport, or on the other one."""

Headers = Iterable[tuple[str, str]]


class Unanswerable(AssertionError):  # noqa: N818 - reads like NoMessage, the wait it stands beside
    """The DUT's CANCEL names another method in its CSeq: a response to it would answer the INVITE
    (§17.1.3), so the branch cannot answer it and the call cannot go on."""


@dataclass
class Branch:
    """One downstream peer and what the DUT sent it on this call."""

    peer: SipPeer
    invite: Request | None = None        # the INVITE as the DUT forwarded it (§16.6)
    responses: list[Response] = field(default_factory=list)

    @property
    def forwarded(self) -> Request:
        """The INVITE the DUT forwarded here (``NoMessage`` if it never came)."""
        if self.invite is None:
            raise NoMessage(f"the DUT's INVITE never reached {self.name}")
        return self.invite

    @property
    def via(self) -> Via:
        """The DUT's own Via of this branch: the top Via of the forwarded INVITE."""
        return self.forwarded.top_via

    @property
    def name(self) -> str:
        return self.peer.name


@dataclass
class ProxiedCall:
    """The UAC's INVITE through the DUT, the branches it reached, and what the UAC got back."""

    uac: SipPeer
    dut: DutProfile
    invite: Request
    branches: list[Branch]
    upstream: list[Response] = field(default_factory=list)

    def is_ours(self, message: Message) -> bool:
        return message.call_id == self.invite.call_id


def downstream(factory: Any, count: int = 1, transport: str | None = None) -> list[SipPeer]:
    """``count`` downstream UAS peers (``uas1``, ``uas2`` ...) from the ``sip_peer_factory`` fixture; by default on
    the test's transport, or for WS and WSS on TCP and TLS (``downstream_transport``: no WebSocket server dials)."""
    transport = transport or downstream_transport(factory.dut, factory.transport, "same")
    return [factory.make(transport, name=f"uas{n}") for n in range(1, count + 1)]


def proxy_route(dut: DutProfile, transport: str) -> str:
    """A loose-routing Route value for the DUT (§16.4, §19.1.1 ``lr``)."""
    host = f"[{dut.host}]" if ":" in dut.host else dut.host
    return f"<sip:{host}:{dut.port};lr" + (f";transport={transport}" if transport != "udp" else "") + ">"


def place_call(uac: SipPeer, dut: DutProfile, peers: Sequence[SipPeer], *, routes_beyond: Sequence[str] = (),
               headers: Headers = (), body: bytes = b"", edit: Callable[[Request], Request] | None = None,
               retransmit: bool | None = None, uri: str | None = None) -> ProxiedCall:
    """Send the UAC's INVITE to the DUT with the Request-URI of the first downstream peer (or ``uri``).

    Two or more peers: the profile's fork header lists all of them. ``routes_beyond``: Route values
    after the DUT's own (then a ``Route: <DUT;lr>`` is always put first), so the forwarded INVITE
    still carries Route values (§16.4, §16.6 step 6). ``retransmit=False``: the UAC never retransmits it (its
    responses may go to another socket, §18.2.2)."""
    extra = list(headers)
    if len(peers) > 1:
        extra.append((fork_header(dut), ", ".join(f"<{p.uri('uas')}>" for p in peers)))
    route = [proxy_route(dut, uac.transport), *routes_beyond] if routes_beyond or routing(dut) == "route" else []
    invite = uac.invite((dut.host, dut.port), uri=uri or peers[0].uri("uas"), headers=extra, route=route,
                        body=body)
    if edit is not None:
        invite = edit(invite)
    uac.send(invite, (dut.host, dut.port), retransmit=retransmit)
    return ProxiedCall(uac, dut, invite, [Branch(p) for p in peers])


def reach_branches(call: ProxiedCall, within: float | None = None) -> None:
    """Wait until every downstream peer got the forwarded INVITE (``NoMessage`` naming the peer if one did not)."""
    for branch in call.branches:
        if branch.invite is None:
            try:
                branch.invite = branch.peer.expect_request("INVITE", within=within, where=call.is_ours)
            except NoMessage as exc:
                raise NoMessage(f"the DUT forwards the INVITE to {branch.name} ({branch.peer.uri('uas')}): "
                                f"{exc}") from exc


def provisional(branch: Branch, status: int = 180) -> Response:
    """The downstream peer answers its INVITE with a provisional (a To tag unless 100)."""
    invite = branch.forwarded
    response = branch.peer.respond(invite, status, headers=[(MARK, branch.name)])
    branch.responses.append(response)
    return response


def await_provisional(call: ProxiedCall, *, relayed_from: Branch | None = None) -> Response:
    """Wait at the UAC for a provisional: any (the DUT's 100 will do), or one relayed from a branch.
    ``NoMessage`` if none comes, or if the INVITE gets a final response first."""
    what = f"a provisional relayed from {relayed_from.name}" if relayed_from else "a provisional response"

    def seen() -> Response | None:
        return next((r for r in call.upstream if r.is_provisional
                     and (relayed_from is None or relayed(r) == relayed_from.name)), None)

    for _ in range(64):  # bounded: each turn takes one response or ends at its deadline
        found = seen()
        if found is not None:
            return found
        try:
            response = call.uac.expect_response(call.invite)
        except NoMessage as exc:
            raise NoMessage(f"the UAC receives {what} to its INVITE through the DUT: {exc}") from exc
        call.upstream.append(response)
        if response.is_final:
            raise NoMessage(f"the UAC receives {what} to its INVITE through the DUT: the INVITE was answered "
                            f"{response.start_line!r} before it could be cancelled")
    raise NoMessage(f"the UAC got 64 responses to its INVITE but not {what}")


def ringing(uac: SipPeer, dut: DutProfile, peers: Sequence[SipPeer], *, ring: Sequence[int | None] | None = None,
            **place_kw: Any) -> ProxiedCall:
    """Place the call, let every branch receive it and answer ``ring[i]`` (a 1xx status, or None: stay
    silent; default 180 everywhere), and wait until the UAC has the relayed 18x of every branch that rang
    (or, if none did, any provisional): the state in which the UAC may CANCEL (§9.1)."""
    statuses = list(ring) if ring is not None else [180] * len(peers)
    call = place_call(uac, dut, peers, **place_kw)
    reach_branches(call)
    for branch, status in zip(call.branches, statuses, strict=False):
        if status is not None:
            provisional(branch, status)
    rung: list[Branch | None] = [b for b, s in zip(call.branches, statuses, strict=False) if s is not None and s > 100]
    for each in rung or [None]:
        await_provisional(call, relayed_from=each)
    return call


def cancel_upstream(call: ProxiedCall, *, extra: Headers = (), retransmit: bool | None = None) -> Request:
    """The UAC sends the §9.1 CANCEL of its INVITE to the DUT."""
    request = cancel_for(call.invite, extra=tuple(extra))
    call.uac.send(request, (call.dut.host, call.dut.port), retransmit=retransmit)
    return request


def cancel_received(branch: Branch, within: float | None = None) -> Request:
    """The first CANCEL of this call at this branch, as it came (``NoMessage`` if none comes in time)."""
    invite = branch.forwarded
    call_id = invite.call_id
    return branch.peer.expect_request("CANCEL", within=within, where=lambda r: r.call_id == call_id)


def await_cancel(branch: Branch, within: float | None = None) -> Request:
    """The CANCEL the DUT sends this branch for this call, one the branch can answer: ``cancel_received``, then
    ``Unanswerable`` if its CSeq method is not CANCEL."""
    cancel = cancel_received(branch, within)
    _answerable(branch, cancel)
    return cancel


def _answerable(branch: Branch, cancel: Request) -> None:
    if cancel.cseq.method != "CANCEL":
        raise Unanswerable(f"{branch.name} got a CANCEL with CSeq {cancel.cseq}: a response to it would answer "
                           f"the INVITE, so the branch cannot answer it")


def answer_cancel(branch: Branch, cancel: Request, status: int = 200) -> Response:
    """The branch answers the DUT's ``cancel`` (§9.2). ``Unanswerable`` if its CSeq method is not CANCEL: the
    response would match the INVITE's client transaction (§17.1.3) and the call could not go on."""
    _answerable(branch, cancel)
    return branch.peer.respond(cancel, status, headers=[(MARK, branch.name)])


def end_branch(branch: Branch, cancel: Request | None = None, status: int = 487, *, to_tag: str | None = None
               ) -> Response:
    """Answer the branch's CANCEL with 200 (if given) and its INVITE with ``status`` (§9.2)."""
    invite = branch.forwarded
    if cancel is not None:
        answer_cancel(branch, cancel)
    response = branch.peer.respond(invite, status, headers=[(MARK, branch.name)], to_tag=to_tag)
    branch.responses.append(response)
    return response


def await_cancel_response(call: ProxiedCall, request: Request, within: float | None = None) -> Response:
    """The final response the UAC gets to its CANCEL ``request`` (``NoMessage`` if none comes in time)."""
    return call.uac.expect_response(request, final=True, within=within)


def await_final(call: ProxiedCall, within: float | None = None) -> Response:
    """The next final response to the UAC's INVITE (``NoMessage`` if none comes in time)."""
    response = call.uac.expect_response(call.invite, final=True, within=within)
    call.upstream.append(response)
    return response


def cancelled_call(call: ProxiedCall) -> tuple[Request, Response]:
    """The UAC cancels the rung ``call`` (one branch): its CANCEL and the DUT's final response to it; the branch
    answers the DUT's CANCEL 200 and its INVITE 487, and the INVITE's final response reaches the UAC. ``NoMessage``
    (or ``Unanswerable``) at the first step the DUT does not take."""
    request = cancel_upstream(call)
    response = await_cancel_response(call, request)
    (branch,) = call.branches
    end_branch(branch, await_cancel(branch))
    await_final(call)
    return request, response


def await_ack(call: ProxiedCall, branch: Branch, within: float | None = None) -> Request:
    """The DUT's ACK of the call at the branch: of its non-2xx final (§17.1.1.3), or forwarded (``NoMessage``)."""
    return branch.peer.expect_request("ACK", within=within, where=call.is_ours)


def cancel_and_ack(uac: SipPeer, dut: DutProfile, peers: Sequence[SipPeer], *, to_tag: str | None = None,
                   **place_kw: Any) -> list[tuple[Branch, Response, Request]]:
    """Ring every branch, cancel at the UAC, answer each branch's CANCEL 200 and its INVITE 487 (with
    ``to_tag`` if given), and collect the DUT's hop-by-hop ACK for each 487 (§17.1.1.3):
    ``[(branch, 487, ACK)]``."""
    call = ringing(uac, dut, peers, **place_kw)
    cancel_upstream(call)
    out = []
    for branch in call.branches:
        final = end_branch(branch, await_cancel(branch), to_tag=to_tag)
        out.append((branch, final, await_ack(call, branch)))
    return out


def resend(branch: Branch, message: Message) -> None:
    """The downstream peer sends ``message`` (a copy of a response, say) to the DUT as it is, once."""
    invite = branch.forwarded
    branch.peer.send(message, branch.peer.source_of(invite))


def ack_again(call: ProxiedCall, branch: Branch, final: Response, after: float) -> bool:
    """Let ``after`` seconds pass, have the branch send its ``final`` response again, and wait up to "immediately"
    (plus the host's slack) for one more ACK of the call at the branch (§17.1.1.2: each copy is ACKed)."""
    def acks() -> int:
        return len(requests_seen(branch.peer, "ACK", call.invite.call_id))

    branch.peer.reactor.run_for(after)
    before = acks()
    resend(branch, final)
    return branch.peer.wait_until(lambda: acks() > before, call.dut.timers.immediately + HOST_SLACK)


def send_stray(call: ProxiedCall, branch: Branch, status: int, method: str = "INVITE") -> Request:
    """The branch sends the DUT a ``status`` response to a ``method`` request the DUT never sent: the DUT's
    Via with an unknown branch on top of a Via of the UAC (RFC 6026 §8.2: no matching transaction). Returns
    the UAC's request it seems to answer, to look for it at the UAC (``responses_seen``)."""
    uac, dut = call.uac, call.dut
    ours = uac.invite((dut.host, dut.port), uri=branch.peer.uri("uas"))
    if method == "CANCEL":
        ours = cancel_for(ours)
    dut_via = branch.via
    stray_via = f"{dut_via.sent_protocol} {dut_via.sent_by};branch=z9hG4bKsipconform-stray{uac.new_tag()}"
    addressed = ours.insert_header(0, "Via", stray_via)
    resend(branch, response_to(addressed, status, to_tag=branch.peer.new_tag(), extra=[(MARK, branch.name)]))
    return ours


def unreachable_sent_by(uac: SipPeer) -> Callable[[Request], Request]:
    """An ``edit`` for ``place_call``: the INVITE's Via sent-by names a port of the UAC's host where nothing
    listens, so that once the UAC closes its TCP connection, the DUT can deliver no response upstream
    (§18.2.2 would open a new connection there): a transport error (§16.9)."""
    port = closed_tcp_port(uac.address[0])

    def edit(invite: Request) -> Request:
        top = invite.top_via
        bare = top.host.strip("[]")
        host = f"[{bare}]" if ":" in bare else bare
        return invite.set_header("Via", f"{top.sent_protocol} {host}:{port};branch={top.branch}")
    return edit


# ---- what arrived (the wire history) ---------------------------------------------------------------------
def relayed(message: Message) -> str | None:
    """The downstream peer a response came from, if it was relayed (its ``X-Sipconform-Origin``)."""
    return message.header(MARK)


def responses_seen(peer: SipPeer, request: Request) -> list[Response]:
    """Every response ``peer`` received to ``request`` (same branch and CSeq method), absorbed
    retransmissions included, in order of arrival."""
    key = (request.top_via.branch, request.cseq.method)
    return [m for m in (i.message for i in peer.received())
            if isinstance(m, Response) and (m.top_via.branch, m.cseq.method) == key]


def requests_seen(peer: SipPeer, method: str, call_id: str) -> list[Received]:
    """Every ``method`` request of the call ``peer`` received (retransmissions included) with its arrival."""
    return [i for i in peer.received()
            if isinstance(i.message, Request) and i.message.method == method and i.message.call_id == call_id]


def cancels_after(peer: SipPeer, call_id: str, within: float, *,
                  where: Callable[[Request], bool] | None = None) -> list[Request]:
    """Let ``within`` pass; then every CANCEL of the call (passing ``where``) ``peer`` got at any time in the
    test, before the wait included."""
    peer.reactor.run_for(within)
    return [m for m in (i.message for i in requests_seen(peer, "CANCEL", call_id))
            if isinstance(m, Request) and (where is None or where(m))]


def finals_after(call: ProxiedCall, within: float, *, least: int = 200) -> list[Response]:
    """Let ``within`` pass; then every final response (status >= ``least``) the UAC got to its INVITE at any
    time in the test."""
    call.uac.reactor.run_for(within)
    return [r for r in responses_seen(call.uac, call.invite) if r.status >= least]


def gave_up(call: ProxiedCall, branch: Branch) -> str | None:
    """What shows the DUT gave up on ``branch`` (its CANCEL there, or a final response to the UAC), or None."""
    cancels = requests_seen(branch.peer, "CANCEL", call.invite.call_id)
    if cancels:
        return "a CANCEL to the branch"
    finals = [r for r in responses_seen(call.uac, call.invite) if r.status >= 200]
    return f"{finals[0].start_line!r} to the UAC" if finals else None
