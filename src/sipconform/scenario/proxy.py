"""DUT-as-proxy steps: an upstream UAC peer calls one to three downstream UAS peers through the DUT,
the branches ring or stay silent, the UAC cancels (RFC 3665 §3.8 flow, RFC 3261 §16.10).

Profile keys read here (all under ``[capabilities]``):

- ``routing = "request-uri"`` (default): the INVITE is sent to the DUT's address with the Request-URI
  of the downstream peer, the DUT routes on it (§16.5). ``"route"``: the INVITE also carries a
  preloaded ``Route: <sip:DUT;lr>`` (§16.4 loose routing), for proxies that only route that way.
- ``fork_header = "X-Fork-To"``: the header that makes the DUT fork an INVITE in parallel to exactly
  the URIs listed in it (``X-Fork-To: <sip:a@...>, <sip:b@...>``). Without it, tests that need two or
  more branches are inconclusive: black-box, there is no standard way to make a proxy fork.
- ``auth_user``, ``auth_password``: credentials the DUT accepts when it challenges an INVITE (407).
- ``timer_c = 32``: the DUT's Timer C in seconds (§16.6 step 11; the RFC wants more than 3 minutes, real
  proxies let it be configured). Without it the Timer C tests (§16.7 step 2, §16.8) take the RFC's 3 minutes.
- ``request_disposition``, ``rfc6228``: the DUT honours RFC 3841's ``Request-Disposition: no-cancel`` / generates
  RFC 6228 199 responses (false: those tests are not applicable; unset: tried, a miss is inconclusive).
- ``strict_rfc3261_proxy = true``: the DUT claims §16.10's "MUST statelessly forward" an unmatched
  CANCEL (RFC 5393 and deployed proxies differ; without the claim it is a SHOULD-level check).

Every downstream response carries ``X-Sipconform-Origin: <peer name>``, so the UAC can tell a response
relayed from downstream (the header travels with it) from one the DUT generated itself.
A step that cannot reach its state (the DUT never forwards the INVITE, never relays a provisional)
raises ``Inconclusive``: the clause under test was never exercised.
"""

from __future__ import annotations

import hashlib
import re
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sipconform.dut.profile import DutProfile
from sipconform.peer import Received, SipPeer, UnexpectedMessage
from sipconform.scenario.uas import sent_from
from sipconform.sip import Message, Request, Response, Timers, Via, cancel_for, response_to
from sipconform.sip.headers import split_list
from sipconform.sip.uri import parse_params, uri_equal
from sipconform.verdict import Inconclusive, NotApplicable, precondition

__all__ = [
    "ACKS_FINAL", "ANSWERS_CANCEL", "Branch", "CANCELS_PENDING", "LEGS", "MARK", "ProxiedCall", "RFC_TIMER_C", "SENDS_FINAL", "ack_again",
    "answer_cancel", "await_ack", "authorized_retry", "await_cancel", "cancel_and_ack", "cancel_answer", "cancel_problems", "cancel_received",
    "check_cancels_invite", "cancel_upstream", "cancelled_responses", "downstream", "downstream_transport",
    "end_branch", "expect_no_cancel", "expect_no_final", "fork_header", "gave_up", "pause", "place_call",
    "provisional", "proxy_route", "quiet_window", "reach_branches", "reason_values", "relayed", "requests_seen",
    "resend", "responses_seen", "ringing", "routing", "same_via_value", "send_stray", "timer_c", "unreachable_sent_by",
    "timer_e_reaches_t2", "upstream_final", "upstream_provisional", "wait_until",
]

MARK = "X-Sipconform-Origin"
LEGS = ("same", "other")
"""``downstream`` parametrisation: downstream peers on the UAC's transport, or on the other one."""

Headers = Iterable[tuple[str, str]]


RFC_TIMER_C = 180.0
"""§16.6 step 11: "The timer MUST be larger than 3 minutes"."""


def timer_c(dut: DutProfile) -> tuple[float, bool]:
    """The DUT's Timer C: ``[capabilities] timer_c`` seconds, else the RFC's 3 minutes; and whether declared."""
    value = dut.capabilities.timer_c
    return (value, True) if value is not None else (RFC_TIMER_C, False)


def routing(dut: DutProfile) -> str:
    """``[capabilities] routing`` (checked against ``ROUTINGS`` when the profile is loaded)."""
    return dut.capabilities.routing


def fork_header(dut: DutProfile) -> str:
    """The header that makes the DUT fork; ``Inconclusive`` if the profile declares none."""
    name = dut.capabilities.fork_header
    if not name:
        raise Inconclusive("the clause needs a forking proxy and the profile declares no [capabilities] "
                           "fork_header, the way to make the DUT fork an INVITE")
    return str(name)


def downstream_transport(dut: DutProfile, upstream: str, legs: str) -> str:
    """``same``: the UAC's transport (a WebSocket's stream counterpart, TCP for WS and TLS for WSS: RFC 7118 §5
    has only clients open WebSocket connections, so a proxy reaches a UAS that is no WebSocket client of it
    over TCP or TLS); ``other``: the other one, if the DUT runs both."""
    if legs == "same":
        return {"ws": "tcp", "wss": "tls"}.get(upstream, upstream)
    other = "tcp" if upstream == "udp" else "udp"
    if other not in dut.transports:
        raise NotApplicable(f"the DUT does not run {other.upper()}, so it cannot forward {upstream.upper()} "
                            f"to {other.upper()}")
    return other


def downstream(factory: Any, count: int = 1, transport: str | None = None) -> list[SipPeer]:
    """``count`` downstream UAS peers (``uas1``, ``uas2`` ...) from the ``sip_peer_factory`` fixture; by default on
    the test's transport, or for WS and WSS on TCP and TLS (``downstream_transport``: no WebSocket server dials)."""
    transport = transport or downstream_transport(factory.dut, factory.transport, "same")
    return [factory.make(transport, name=f"uas{n}") for n in range(1, count + 1)]


def proxy_route(dut: DutProfile, transport: str) -> str:
    """A loose-routing Route value for the DUT (§16.4, §19.1.1 ``lr``)."""
    host = f"[{dut.host}]" if ":" in dut.host else dut.host
    return f"<sip:{host}:{dut.port};lr" + (f";transport={transport}" if transport != "udp" else "") + ">"


def quiet_window(dut: DutProfile) -> float:
    """How long "nothing happens" is watched for: 10*T1 of the DUT, at least one second."""
    return dut.timers.quiet


@dataclass
class Branch:
    """One downstream peer and what the DUT sent it on this call."""

    peer: SipPeer
    invite: Request | None = None        # the INVITE as the DUT forwarded it (§16.6)
    responses: list[Response] = field(default_factory=list)

    @property
    def via(self) -> Via:
        """The DUT's own Via of this branch: the top Via of the forwarded INVITE."""
        assert self.invite is not None
        return self.invite.top_via

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
    """Wait until every downstream peer got the forwarded INVITE (a precondition)."""
    for branch in call.branches:
        if branch.invite is None:
            with precondition(f"the DUT forwards the INVITE to {branch.name} ({branch.peer.uri('uas')})"):
                branch.invite = branch.peer.expect_request("INVITE", within=within, where=call.is_ours)


def provisional(branch: Branch, status: int = 180) -> Response:
    """The downstream peer answers its INVITE with a provisional (a To tag unless 100)."""
    assert branch.invite is not None
    response = branch.peer.respond(branch.invite, status, headers=[(MARK, branch.name)])
    branch.responses.append(response)
    return response


def upstream_provisional(call: ProxiedCall, *, relayed_from: Branch | None = None) -> Response:
    """Wait at the UAC for a provisional: any (the DUT's 100 will do), or one relayed from a branch."""
    what = f"a provisional relayed from {relayed_from.name}" if relayed_from else "a provisional response"

    def seen() -> Response | None:
        return next((r for r in call.upstream if r.is_provisional
                     and (relayed_from is None or relayed(r) == relayed_from.name)), None)

    with precondition(f"the UAC receives {what} to its INVITE through the DUT"):
        for _ in range(64):  # bounded: each turn takes one response or ends at its deadline
            found = seen()
            if found is not None:
                return found
            response = call.uac.expect_response(call.invite)
            call.upstream.append(response)
            if response.is_final:
                raise Inconclusive(f"the UAC's INVITE was answered {response.start_line!r} before it "
                                   f"could be cancelled")
        raise Inconclusive(f"the UAC got 64 responses to its INVITE but not {what}")


def ringing(uac: SipPeer, dut: DutProfile, peers: Sequence[SipPeer], *, ring: Sequence[int | None] | None = None,
            **place_kw: Any) -> ProxiedCall:
    """Place the call, let every branch receive it and answer ``ring[i]`` (a 1xx status, or None: stay
    silent; default 180 everywhere), and wait until the UAC has the relayed 18x of every branch that rang
    (or, if none did, any provisional): the state in which the UAC may CANCEL (§9.1)."""
    statuses = list(ring) if ring is not None else [180] * len(peers)
    call = place_call(uac, dut, peers, **place_kw)
    reach_branches(call)
    for branch, status in zip(call.branches, statuses):
        if status is not None:
            provisional(branch, status)
    rung: list[Branch | None] = [b for b, s in zip(call.branches, statuses) if s is not None and s > 100]
    for each in rung or [None]:
        upstream_provisional(call, relayed_from=each)
    return call


def cancel_upstream(call: ProxiedCall, *, extra: Headers = (), retransmit: bool | None = None) -> Request:
    """The UAC sends the §9.1 CANCEL of its INVITE to the DUT."""
    request = cancel_for(call.invite, extra=tuple(extra))
    call.uac.send(request, (call.dut.host, call.dut.port), retransmit=retransmit)
    return request


CANCELS_PENDING = "RFC3261-16.10-2"
"""The clause that makes the DUT cancel a pending branch once the UAC cancels (§16.10)."""
SENDS_FINAL = "RFC3261-16.7-6a"
"""The clause that makes the DUT send the UAC a final response once every branch ended (§16.7 step 6)."""
ANSWERS_CANCEL = "RFC3261-16.10-4"
"""The clause that makes the DUT answer the UAC's CANCEL 200 itself, at once (§16.10; §9 ¶4 too)."""


def cancel_received(branch: Branch, within: float | None = None) -> Request:
    """The first CANCEL of this call at this branch, as it came (``NoMessage`` if none comes in time)."""
    assert branch.invite is not None
    call_id = branch.invite.call_id
    return branch.peer.expect_request("CANCEL", within=within, where=lambda r: r.call_id == call_id)


def await_cancel(branch: Branch, within: float | None = None, *, judged: bool = False,
                 required_by: str = CANCELS_PENDING) -> Request:
    """The CANCEL the DUT sends to this branch for this call, one the branch can answer.

    Its arrival is a precondition of the test (``Inconclusive`` naming ``required_by``, the clause that wants
    it) unless ``judged``: the module's own clause requires this CANCEL, so its absence fails."""
    if judged:
        return cancel_received(branch, within)
    with precondition(f"the DUT sends {branch.name} a CANCEL ({required_by})"):
        return cancel_received(branch, within)


def answer_cancel(branch: Branch, cancel: Request, status: int = 200) -> Response:
    """The branch answers the DUT's ``cancel`` (§9.2). A CANCEL whose CSeq method is not CANCEL cannot be
    answered: the response would match the INVITE's client transaction (§17.1.3) and the scenario could not go
    on, a precondition not reached (RFC3261-9.1-4 judges that CANCEL)."""
    if cancel.cseq.method != "CANCEL":
        raise Inconclusive(f"precondition not reached: {branch.name} can answer the DUT's CANCEL: its CSeq is "
                           f"{cancel.cseq}, so a response to it would answer the INVITE (RFC3261-9.1-4)")
    return branch.peer.respond(cancel, status, headers=[(MARK, branch.name)])


def check_cancels_invite(branch: Branch, cancel: Request) -> None:
    """``cancel`` cancels the branch's INVITE: a CANCEL of the call whose top Via branch is the INVITE's (what
    §9.2 and §17.2.3 match it by). How the rest of it is built is §9.1's (RFC3261-9.1-2 to 9.1-6)."""
    assert cancel.top_via.branch == branch.via.branch, (
        f"{branch.name} got a CANCEL with branch {cancel.top_via.branch!r}, which does not cancel its INVITE "
        f"(branch {branch.via.branch!r})")


def cancel_answer(call: ProxiedCall, request: Request, within: float | None = None, *, judged: bool = False
                  ) -> Response:
    """The final response the UAC gets to its CANCEL ``request``. Its arrival is a precondition of the test
    (``Inconclusive`` naming RFC3261-16.10-4) unless ``judged``: the module's clause is that answer."""
    if judged:
        return call.uac.expect_response(request, final=True, within=within)
    with precondition(f"the DUT answers the UAC's CANCEL ({ANSWERS_CANCEL})"):
        return call.uac.expect_response(request, final=True, within=within)


def end_branch(branch: Branch, cancel: Request | None = None, status: int = 487, *, to_tag: str | None = None
               ) -> Response:
    """Answer the branch's CANCEL with 200 (if given) and its INVITE with ``status`` (§9.2)."""
    assert branch.invite is not None
    if cancel is not None:
        answer_cancel(branch, cancel)
    response = branch.peer.respond(branch.invite, status, headers=[(MARK, branch.name)], to_tag=to_tag)
    branch.responses.append(response)
    return response


def cancelled_responses(uac: SipPeer, dut: DutProfile, factory: Any, edit: Callable[[Request], Request]
                        ) -> tuple[list[Response], tuple[str, int]]:
    """Ring one branch with the UAC's INVITE changed by ``edit`` (its Via, say), cancel it, end the branch: the
    relayed 18x and the 200 (CANCEL) as the UAC got them, and the address the UAC sent its CANCEL from."""
    call = ringing(uac, dut, downstream(factory), edit=edit)
    request = cancel_upstream(call)
    response = cancel_answer(call, request)
    source = sent_from(uac, request)
    seen = [next(r for r in call.upstream if relayed(r)), response]
    branch = call.branches[0]
    end_branch(branch, await_cancel(branch))
    upstream_final(call)
    return seen, source


def cancel_and_ack(uac: SipPeer, dut: DutProfile, peers: Sequence[SipPeer], *, to_tag: str | None = None,
                   **place_kw: Any) -> list[tuple[Branch, Response, Request]]:
    """Ring every branch, cancel at the UAC, answer each branch's CANCEL 200 and its INVITE 487 (with
    ``to_tag`` if given), and collect the DUT's hop-by-hop ACK for each 487 (§17.1.1.3):
    ``[(branch, 487, ACK)]``. A missing ACK is a precondition not reached (RFC3261-17.1.1.2-1's)."""
    call = ringing(uac, dut, peers, **place_kw)
    cancel_upstream(call)
    out = []
    for branch in call.branches:
        final = end_branch(branch, await_cancel(branch), to_tag=to_tag)
        out.append((branch, final, await_ack(call, branch)))
    return out


ACKS_FINAL = "RFC3261-17.1.1.2-1"
"""The clause that makes the DUT's INVITE client transaction ACK a non-2xx final response (§17.1.1.2)."""


def await_ack(call: ProxiedCall, branch: Branch, *, judged: bool = False) -> Request:
    """The DUT's ACK of the branch's non-2xx final response. Its arrival is a precondition of the test
    (``Inconclusive`` naming RFC3261-17.1.1.2-1) unless ``judged``: the module's clause requires that ACK."""
    if judged:
        return branch.peer.expect_request("ACK", where=call.is_ours)
    with precondition(f"the DUT ACKs {branch.name}'s final response ({ACKS_FINAL})"):
        return branch.peer.expect_request("ACK", where=call.is_ours)


def resend(branch: Branch, message: Message) -> None:
    """The downstream peer sends ``message`` (a copy of a response, say) to the DUT as it is, once."""
    assert branch.invite is not None
    branch.peer.send(message, branch.peer.source_of(branch.invite))


def ack_again(call: ProxiedCall, branch: Branch, final: Response, after: float) -> bool:
    """Wait ``after`` seconds, have the branch send its ``final`` response again, and wait up to 4*T1 (+0.5 s) of
    the DUT for one more ACK of the call at the branch (§17.1.1.2: each copy is ACKed): True if it came."""
    def acks() -> int:
        return len(requests_seen(branch.peer, "ACK", call.invite.call_id))

    pause(branch.peer, after)
    before = acks()
    resend(branch, final)
    return wait_until(branch.peer, lambda: acks() > before, 4 * call.dut.timers.t1 + 0.5)


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


def upstream_final(call: ProxiedCall, within: float | None = None, *, judged: bool = False,
                   required_by: str = SENDS_FINAL) -> Response:
    """The next final response to the UAC's INVITE. Its arrival is a precondition of the test (``Inconclusive``
    naming ``required_by``, the clause that wants it) unless ``judged``: the module's clause is that final."""
    if judged:
        response = call.uac.expect_response(call.invite, final=True, within=within)
    else:
        with precondition(f"the UAC gets a final response to its INVITE ({required_by})"):
            response = call.uac.expect_response(call.invite, final=True, within=within)
    call.upstream.append(response)
    return response


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


def expect_no_cancel(peer: SipPeer, call_id: str, within: float, *,
                     where: Callable[[Request], bool] | None = None) -> None:
    """Let ``within`` pass; then ``UnexpectedMessage`` if ``peer`` got a CANCEL of the call (passing ``where``)
    at any time in the test, before the wait included."""
    pause(peer, within)
    got = [i.message for i in requests_seen(peer, "CANCEL", call_id)
           if where is None or where(cast(Request, i.message))]
    if got:
        first = cast(Request, got[0])
        raise UnexpectedMessage(f"{peer.name}: expected no CANCEL here; got {first.start_line!r} "
                                f"(Via {first.top_via.text!r})")


def expect_no_final(call: ProxiedCall, within: float, *, least: int = 200) -> None:
    """Let ``within`` pass; then ``UnexpectedMessage`` if the UAC got a final response (status >= ``least``) to
    its INVITE at any time in the test."""
    pause(call.uac, within)
    got = [r for r in responses_seen(call.uac, call.invite) if r.status >= least]
    if got:
        raise UnexpectedMessage(f"{call.uac.name}: expected no final response to the INVITE here; got "
                                f"{got[0].start_line!r} (from {relayed(got[0]) or 'the DUT'})")


def gave_up(call: ProxiedCall, branch: Branch) -> str | None:
    """What shows the DUT gave up on ``branch`` (its CANCEL there, or a final response to the UAC), or None."""
    cancels = requests_seen(branch.peer, "CANCEL", call.invite.call_id)
    if cancels:
        return "a CANCEL to the branch"
    finals = [r for r in responses_seen(call.uac, call.invite) if r.status >= 200]
    return f"{finals[0].start_line!r} to the UAC" if finals else None


def unreachable_sent_by(uac: SipPeer) -> Callable[[Request], Request]:
    """An ``edit`` for ``place_call``: the INVITE's Via sent-by names a port of the UAC's host where nothing
    listens (bound, then closed), so that once the UAC closes its TCP connection, the DUT can deliver no
    response upstream (§18.2.2 would open a new connection there): a transport error (§16.9)."""
    with socket.socket(socket.AF_INET6 if ":" in uac.address[0] else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((uac.address[0], 0))
        port = probe.getsockname()[1]

    def edit(invite: Request) -> Request:
        top = invite.top_via
        bare = top.host.strip("[]")
        host = f"[{bare}]" if ":" in bare else bare
        return invite.set_header("Via", f"{top.sent_protocol} {host}:{port};branch={top.branch}")
    return edit


def reason_values(values: Iterable[str]) -> list[tuple[str, dict[str, str]]]:
    """Reason values (RFC 3326 §2: ``protocol *(SEMI reason-params)``) as (protocol upper-cased, params with
    lower-case names and unquoted values); a comma-joined value is split first."""
    out = []
    for value in (v for text in values for v in split_list(text)):
        protocol, _, rest = value.partition(";")
        params = {k.lower(): (v or "").strip('"') for k, v in parse_params(rest)}
        out.append((protocol.strip().upper(), params))
    return out


def wait_until(peer: SipPeer, condition: Callable[[], bool], within: float) -> bool:
    """Pump every peer of the test until ``condition()`` holds (True) or ``within`` seconds pass (False)."""
    return peer.reactor.run_until(condition, peer.reactor.now() + within)


def pause(peer: SipPeer, seconds: float) -> None:
    """Let ``seconds`` pass while every peer of the test keeps handling its traffic."""
    peer.reactor.run_for(seconds)


def timer_e_reaches_t2(timers: Timers) -> float:
    """RFC 4320 §4.1's "time it takes a client transaction's Timer E to be reset to T2" (``Timers``)."""
    return timers.timer_e_reaches_t2


def authorized_retry(invite: Request, challenge: Response, *, user: str, password: str, branch: str) -> Request:
    """The INVITE re-sent with credentials for a 401/407 ``challenge`` (§22.2, RFC 2617 Digest with MD5,
    qop ``auth`` if offered): new branch and CSeq number + 1, same Call-ID and From tag (§8.1.3.5)."""
    proxy = challenge.status == 407
    offer = challenge.header("proxy-authenticate" if proxy else "www-authenticate") or ""
    params = {k.lower(): a or b for k, a, b in re.findall(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))', offer)}
    realm, nonce = params.get("realm", ""), params.get("nonce", "")
    cseq = invite.cseq.number + 1

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - RFC 2617 Digest is MD5

    ha1, ha2 = md5(f"{user}:{realm}:{password}"), md5(f"INVITE:{invite.uri}")
    fields = [f'username="{user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{invite.uri}"', "algorithm=MD5"]
    if "auth" in [q.strip() for q in params.get("qop", "").split(",")]:
        cnonce = hashlib.sha1(branch.encode()).hexdigest()[:16]
        fields += [f'response="{md5(f"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}")}"', "qop=auth", "nc=00000001",
                   f'cnonce="{cnonce}"']
    else:
        fields.append(f'response="{md5(f"{ha1}:{nonce}:{ha2}")}"')
    if "opaque" in params:
        fields.append(f'opaque="{params["opaque"]}"')
    top = invite.top_via
    retry = invite.set_header("Via", f"{top.sent_protocol} {top.sent_by};branch={branch}")
    retry = retry.set_header("CSeq", f"{cseq} INVITE")
    header = "Proxy-Authorization" if proxy else "Authorization"
    return retry.append_header(header, "Digest " + ", ".join(fields))


def cancel_problems(invite: Request, cancel: Request) -> list[str]:
    """What in ``cancel`` breaks §9.1 against the ``invite`` it cancels (empty when built right)."""
    problems = []
    if not uri_equal(cancel.uri, invite.uri):
        problems.append(f"Request-URI {cancel.uri!r} is not the INVITE's {invite.uri!r}")
    if cancel.call_id != invite.call_id:
        problems.append(f"Call-ID {cancel.call_id!r} is not the INVITE's {invite.call_id!r}")
    for name, got, want in (("From", cancel.from_, invite.from_), ("To", cancel.to, invite.to)):
        if not uri_equal(got.uri, want.uri) or got.tag != want.tag:
            problems.append(f"{name} {got.text!r} is not the INVITE's {want.text!r} (tags included)")
    if cancel.cseq.number != invite.cseq.number or cancel.cseq.method != "CANCEL":
        problems.append(f"CSeq {cancel.cseq} is not '{invite.cseq.number} CANCEL'")
    if len(cancel.vias) != 1 or not same_via_value(cancel.vias[0], invite.top_via):
        problems.append(f"Via {[v.text for v in cancel.vias]} is not the single top Via of the INVITE "
                        f"{invite.top_via.text!r}")
    if [r.uri for r in cancel.routes] != [r.uri for r in invite.routes]:
        problems.append(f"Route {[r.text for r in cancel.routes]} differs from the INVITE's "
                        f"{[r.text for r in invite.routes]}")
    if cancel.has("require") or cancel.has("proxy-require"):
        problems.append("it carries Require or Proxy-Require")
    return problems


def same_via_value(got: Via, want: Via) -> bool:
    """Same sent-protocol, sent-by and branch (§9.1 "matching the top Via value"; §17.2.3 matches on them)."""
    return ((got.sent_protocol, got.host.lower(), got.port, (got.branch or "").lower())
            == (want.sent_protocol, want.host.lower(), want.port, (want.branch or "").lower()))
