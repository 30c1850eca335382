"""RFC 3263 steps ("Locating SIP Servers"): the suite's DNS server (the ``sip_dns`` zone) sends the DUT's
requests for the test's domain to the suite's own peers, and the peers see which server each request of
a transaction reached.

``publish`` puts SRV records (and the A records of their targets, and one NAPTR record) for a set of
peers into the zone; ``domain_uri`` is the SIP URI that makes the DUT resolve them. The failover flow
(``failover``): SRV priority 0 -> ``t1``, priority 1 -> ``t2``; t1 answers the INVITE 503, which RFC 3263
§4.3 counts as a failure ("the client SHOULD create a new request ... sent to the next element"), so the
DUT sends a new INVITE to t2; t2 rings. Where the CANCEL of that INVITE goes then tells whether the DUT
remembered the server it reached (§4) or resolved the domain afresh (priority 0: t1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sipconform.dut.profile import DutProfile
from sipconform.peer import SipPeer
from sipconform.peer.dns import Zone
from sipconform.scenario.proxy import (MARK, Branch, cancel_upstream, end_branch, place_call, provisional,
                                       upstream_provisional, wait_until)
from sipconform.scenario.uac import Target, await_first, refused
from sipconform.sip import Request
from sipconform.verdict import Inconclusive

__all__ = ["STATELESS_CALLS", "Delivery", "Failover", "StatelessCall", "ack_destination", "assert_same_server",
           "cancel_destination", "delivered", "domain_uri", "failover", "misdirected", "publish", "resolving_target",
           "stateless_call", "stateless_calls", "where"]

NAPTR_SERVICE = {"udp": "SIP+D2U", "tcp": "SIP+D2T"}


def publish(zone: Zone, transport: str, targets: Sequence[tuple[int, int, SipPeer]]) -> None:
    """SRV ``_sip._<transport>.<origin>`` -> each (priority, weight, peer) at ``<peer name>.<origin>``, the
    peers' A (AAAA) records, and a NAPTR record for the transport (RFC 3263 §4.1)."""
    service = zone.name(f"_sip._{transport}")
    for priority, weight, peer in targets:
        host, port = peer.address
        zone.add(zone.name(peer.name), "AAAA" if ":" in host else "A", host)
        zone.add(service, "SRV", priority, weight, port, zone.name(peer.name))
    zone.add(zone.origin, "NAPTR", 50, 50, "s", NAPTR_SERVICE[transport], "", service)


def domain_uri(zone: Zone, user: str, transport: str) -> str:
    """``sip:user@<origin>``: no port, so the DUT looks up SRV (§4.2); over TCP ``;transport=tcp`` (§4.1)."""
    return f"sip:{user}@{zone.origin}" + (";transport=tcp" if transport == "tcp" else "")


def resolving_target(zone: Zone, user: str, transport: str) -> Target:
    """Where a DUT acting as UAC is to call: ``domain_uri``, and as its address the domain with port 0 (no
    outbound proxy, no port: the DUT locates the server itself; an exec upper tester gets ``{port}`` = 0)."""
    return Target(domain_uri(zone, user, transport), zone.origin, 0, transport)


def where(peer: SipPeer) -> str:
    host, port = peer.address
    return f"{peer.name} ({peer.transport.upper()} {host}:{port})"


def _of_call(call_id: str, extra: Callable[[Request], bool] | None = None) -> Callable[[Request], bool]:
    return lambda r: r.call_id == call_id and (extra is None or extra(r))


@dataclass
class Failover:
    """The DUT's first INVITE (at t1, answered 503) and its next one (at t2, not answered yet)."""

    zone: Zone
    t1: SipPeer
    t2: SipPeer
    first: Request
    second: Request


def failover(zone: Zone, t1: SipPeer, t2: SipPeer, call_id: str | None, within: float,
             answer_503: Callable[[Request], object]) -> Failover:
    """With ``publish``-ed t1 (priority 0) and t2 (priority 1): wait for the DUT's INVITE at t1 (first,
    as RFC 2782 orders them), answer it 503 with ``answer_503``, wait for the new INVITE at t2.
    ``call_id``: the call's Call-ID if the test knows it (a proxy test), else None (any INVITE).
    Each step the DUT does not take is ``Inconclusive``, with what it asked the DNS server."""
    found = await_first([t1, t2], "INVITE", within, where=None if call_id is None else _of_call(call_id))
    if found is None:
        raise Inconclusive(f"precondition not reached: the DUT sends the INVITE for {zone.origin} to the server "
                           f"its SRV records name: none reached {where(t1)} or {where(t2)}; the DUT asked the "
                           f"suite's DNS server: {zone.asked()}")
    peer, first = found
    if peer is not t1:
        raise Inconclusive(f"precondition not reached: the DUT tries {where(t1)} (SRV priority 0) first: its "
                           f"INVITE went to {where(t2)} (priority 1), so no failover could be seen")
    answer_503(first)
    second = await_first([t2], "INVITE", within, where=_of_call(first.call_id))
    if second is None:
        raise Inconclusive(f"precondition not reached: after the 503 of {where(t1)} the DUT tries the next SRV "
                           f"target (RFC 3263 §4.3, a SHOULD): no INVITE reached {where(t2)}")
    return Failover(zone, t1, t2, first, second[1])


def misdirected(peer: SipPeer, invite: Request, to_tag: str | None = None) -> list[str]:
    """What ``peer`` received that belongs to ``invite``'s transaction (sent to another server): a CANCEL
    with the INVITE's branch (§9.1), an ACK with its branch or ``to_tag`` (the ACK of a non-2xx, §17.1.1.3)."""
    out = []
    for item in peer.received():
        m = item.message
        if not isinstance(m, Request) or m.call_id != invite.call_id:
            continue
        if m.method == "CANCEL" and m.top_via.branch == invite.top_via.branch:
            out.append(f"a CANCEL (Via branch {m.top_via.branch})")
        elif m.method == "ACK" and (m.top_via.branch == invite.top_via.branch
                                    or (to_tag is not None and m.to.tag == to_tag)):
            out.append(f"an ACK (Via branch {m.top_via.branch}, To tag {m.to.tag})")
    return out


@dataclass
class Delivery:
    """Where each request of one call through a stateless DUT arrived: peer name -> methods, in order."""

    at: dict[str, list[str]]

    def servers(self, method: str | None = None) -> list[str]:
        return [name for name, methods in self.at.items() if methods and (method is None or method in methods)]

    def __str__(self) -> str:
        return "; ".join(f"{name}: {', '.join(methods)}" for name, methods in self.at.items() if methods)


def delivered(peers: Sequence[SipPeer], call_id: str) -> Delivery:
    """Every request of the call each peer received (retransmissions included), by peer."""
    return Delivery({p.name: [i.message.method for i in p.received()
                              if isinstance(i.message, Request) and i.message.call_id == call_id]
                     for p in peers})


def cancel_destination(tried: Failover, within: float) -> tuple[SipPeer, Request]:
    """The first CANCEL of t2's INVITE (its Via branch, §9.1) at t2 or t1 (``Inconclusive`` if none comes
    ``within``: a CANCEL sent anywhere else cannot be seen)."""
    branch = tried.second.top_via.branch
    found = await_first([tried.t2, tried.t1], "CANCEL", within,
                        where=_of_call(tried.second.call_id, lambda r: r.top_via.branch == branch), until_refused=True)
    if found is None:
        raise Inconclusive(f"precondition not reached: the DUT sends a CANCEL for the INVITE t2 rang for (Via "
                           f"branch {branch}): none reached {where(tried.t2)} or {where(tried.t1)} within "
                           f"{within:.3g} s{refused([tried.t2, tried.t1], 'CANCEL')}")
    return found


def ack_destination(tried: Failover, to_tag: str | None, within: float) -> SipPeer | None:
    """Where the ACK of t2's non-2xx final (To tag ``to_tag``) went, waiting up to ``within``; None if nowhere."""
    def acks(r: Request) -> bool:
        return r.top_via.branch == tried.second.top_via.branch or (to_tag is not None and r.to.tag == to_tag)
    found = await_first([tried.t2, tried.t1], "ACK", within, where=_of_call(tried.second.call_id, acks))
    return None if found is None else found[0]


def assert_same_server(tried: Failover, cancel_at: SipPeer, to_tag: str | None) -> None:
    """RFC 3263 §4: the CANCEL (and the ACK of the non-2xx) of the INVITE t2 got went to t2, nothing to t1."""
    wrong = misdirected(tried.t1, tried.second, to_tag)
    assert cancel_at is tried.t2 and not wrong, (
        f"the DUT sent {', '.join(wrong) or 'its CANCEL'} for the INVITE delivered to {where(tried.t2)} to "
        f"{where(tried.t1)} (SRV priority 0, which had answered 503), not to the server the INVITE was delivered "
        f"to: it located the server afresh instead of once per transaction (RFC 3263 §4)")


# ---- through a stateless proxy (§4.4) ------------------------------------------------------------------
STATELESS_CALLS = 6
"""Calls per stateless test. A proxy that picks among equal-priority SRV targets afresh (at random) for each
request escapes one call with probability 1/2 when only the CANCEL is judged (1/64 over six calls), 1/16
when its INVITE copies, CANCEL and ACK are (about 2**-24 over six calls)."""


@dataclass
class StatelessCall:
    """One call through a stateless DUT: the server the INVITE reached first, and everything's delivery."""

    invite_at: SipPeer
    delivery: Delivery

    def stray(self, method: str | None = None) -> list[str]:
        """The servers other than the INVITE's that got requests (of ``method``) of the call."""
        return [name for name in self.delivery.servers(method) if name != self.invite_at.name]


def stateless_call(uac: SipPeer, dut: DutProfile, zone: Zone, targets: Sequence[SipPeer], transport: str
                   ) -> StatelessCall:
    """INVITE for ``sip:uas@<origin>`` through the DUT; the server it reaches stays silent while the UAC
    retransmits (UDP: until 3 copies arrived in all, at most 8*T1), then rings; the UAC cancels; whoever gets
    the CANCEL answers it 200, the INVITE's server answers 487, the UAC ACKs; up to 8*T1 for that ACK."""
    t1 = uac.timers.t1
    call = place_call(uac, dut, [targets[0]], uri=domain_uri(zone, "uas", transport))
    found = await_first(targets, "INVITE", uac.timers.b, where=_of_call(call.invite.call_id))
    if found is None:
        raise Inconclusive(f"precondition not reached: the DUT forwards the INVITE for {zone.origin} to a server "
                           f"its SRV records name: none reached {' or '.join(where(p) for p in targets)}; the DUT "
                           f"asked the suite's DNS server: {zone.asked()}")
    peer, invite = found
    branch = Branch(peer, invite)
    call.branches = [branch]
    if transport == "udp":
        wait_until(uac, lambda: sum(delivered(targets, invite.call_id).at.values(), []).count("INVITE") >= 3, 8 * t1)
    provisional(branch)
    upstream_provisional(call, relayed_from=branch)
    cancel_upstream(call)
    got = await_first(targets, "CANCEL", uac.timers.b, where=_of_call(invite.call_id))
    if got is None:
        raise Inconclusive(f"precondition not reached: the DUT forwards the UAC's CANCEL: none reached "
                           f"{' or '.join(where(p) for p in targets)}")
    got[0].respond(got[1], 200, headers=[(MARK, got[0].name)])
    end_branch(branch)
    await_first(targets, "ACK", 8 * t1, where=_of_call(invite.call_id))
    return StatelessCall(peer, delivered(targets, invite.call_id))


def stateless_calls(uac: SipPeer, dut: DutProfile, zone: Zone, factory: Any, transport: str,
                    judge: Callable[[int, StatelessCall], None]) -> None:
    """SRV: t1 and t2 of equal priority, weights 1000 and 1001 (as RFC 3263 §4.4 recommends); then
    ``STATELESS_CALLS`` calls (``stateless_call``), each handed to ``judge(n, call)`` as it ends."""
    targets = [factory.make(transport, name="t1"), factory.make(transport, name="t2")]
    publish(zone, transport, [(0, 1000, targets[0]), (0, 1001, targets[1])])
    for n in range(1, STATELESS_CALLS + 1):
        judge(n, stateless_call(uac, dut, zone, targets, transport))
