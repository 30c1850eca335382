"""RFC 3263 steps ("Locating SIP Servers"): the suite's DNS server (the ``sip_dns`` zone) sends the DUT's
requests for the test's domain to the suite's own peers, and the peers see which server each request of
a transaction reached.

``publish`` puts SRV records (and the A records of their targets, and one NAPTR record) for a set of
peers into the zone; ``domain_uri`` is the SIP URI that makes the DUT resolve them. ``stateless_call`` is
one call through a stateless proxy (§4.4) to two SRV targets of equal priority.

The failover steps: SRV priority 0 -> ``t1``, priority 1 -> ``t2``; ``await_srv_invite`` waits for the DUT's
INVITE at either (RFC 2782 has it try t1 first); t1 answers it 503, which RFC 3263 §4.3 counts as a failure,
so the DUT sends a new INVITE to t2 (``await_srv_invite`` again, at t2); t2 rings. Where the CANCEL of that
INVITE goes (``await_cancel_at``) then tells whether the DUT remembered the server it reached (§4) or
resolved the domain afresh (priority 0: t1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sipconform.dut.profile import DutProfile
from sipconform.flows.arrivals import await_first, refused
from sipconform.flows.proxy import MARK, Branch, await_provisional, cancel_upstream, end_branch, place_call, provisional
from sipconform.peer import NoMessage, SipPeer
from sipconform.peer.dns import Zone
from sipconform.sip import Request

__all__ = [
    "STATELESS_CALLS", "Delivery", "StatelessCall", "ack_destination", "await_cancel_at", "await_srv_invite",
    "delivered", "domain_uri", "equal_priority_targets", "misdirected", "of_call", "publish", "stateless_call",
    "where",
]

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


def where(peer: SipPeer) -> str:
    host, port = peer.address
    return f"{peer.name} ({peer.transport.upper()} {host}:{port})"


def of_call(call_id: str, extra: Callable[[Request], bool] | None = None) -> Callable[[Request], bool]:
    """A ``where`` for the requests of the call ``call_id`` (that also pass ``extra``)."""
    return lambda r: r.call_id == call_id and (extra is None or extra(r))


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


def await_srv_invite(zone: Zone, servers: Sequence[SipPeer], call_id: str | None,
                     within: float) -> tuple[SipPeer, Request]:
    """The first of ``servers`` (SRV targets) to get an INVITE of the call ``call_id`` (None: any INVITE) and
    that INVITE; ``NoMessage`` naming what the DUT asked the suite's DNS server if none came ``within``."""
    found = await_first(servers, "INVITE", within, where=None if call_id is None else of_call(call_id))
    if found is None:
        raise NoMessage(f"no INVITE for {zone.origin} reached {' or '.join(where(p) for p in servers)} within "
                        f"{within:.3g} s; the DUT asked the suite's DNS server: {zone.asked()}")
    return found


def await_cancel_at(servers: Sequence[SipPeer], invite: Request, within: float) -> tuple[SipPeer, Request]:
    """The first CANCEL of ``invite`` (its Via branch, §9.1) at any of ``servers`` and the server it reached;
    ``NoMessage`` if none comes ``within`` (a CANCEL sent anywhere else cannot be seen)."""
    branch = invite.top_via.branch
    found = await_first(servers, "CANCEL", within, where=of_call(invite.call_id, lambda r: r.top_via.branch == branch),
                        until_refused=True)
    if found is None:
        raise NoMessage(f"no CANCEL of the INVITE with Via branch {branch} reached "
                        f"{' or '.join(where(p) for p in servers)} within {within:.3g} s{refused(servers, 'CANCEL')}")
    return found


def ack_destination(servers: Sequence[SipPeer], invite: Request, to_tag: str | None, within: float) -> SipPeer | None:
    """Where the ACK of ``invite``'s non-2xx final (To tag ``to_tag``) went among ``servers``, waiting up to
    ``within``; None if nowhere."""
    def acks(r: Request) -> bool:
        return r.top_via.branch == invite.top_via.branch or (to_tag is not None and r.to.tag == to_tag)
    found = await_first(servers, "ACK", within, where=of_call(invite.call_id, acks))
    return None if found is None else found[0]


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


# ---- through a stateless proxy (§4.4) ------------------------------------------------------------------
def equal_priority_targets(factory: Any, zone: Zone, transport: str) -> list[SipPeer]:
    """Two servers, t1 and t2, published with equal SRV priority and weights 1000 and 1001 (as §4.4 recommends)."""
    targets = [factory.make(transport, name="t1"), factory.make(transport, name="t2")]
    publish(zone, transport, [(0, 1000, targets[0]), (0, 1001, targets[1])])
    return targets


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
    retransmits (UDP: until 3 copies arrived in all), then rings; the UAC cancels; whoever gets the CANCEL
    answers it 200, the INVITE's server answers 487, the UAC ACKs; then the ACK is waited for (§17.1.1.3).
    ``NoMessage`` if the INVITE or the CANCEL reaches none of ``targets``."""
    timers = dut.timers
    call = place_call(uac, dut, [targets[0]], uri=domain_uri(zone, "uas", transport))
    found = await_first(targets, "INVITE", timers.b, where=of_call(call.invite.call_id))
    if found is None:
        raise NoMessage(f"the DUT forwards the INVITE for {zone.origin} to a server its SRV records name: none "
                        f"reached {' or '.join(where(p) for p in targets)}; the DUT asked the suite's DNS server: "
                        f"{zone.asked()}")
    peer, invite = found
    branch = Branch(peer, invite)
    call.branches = [branch]
    if transport == "udp":
        uac.wait_until(lambda: sum(ms.count("INVITE") for ms in delivered(targets, invite.call_id).at.values()) >= 3,
                       timers.tolerance(timers.transmissions(3)))
    provisional(branch)
    await_provisional(call, relayed_from=branch)
    cancel_upstream(call)
    got = await_first(targets, "CANCEL", timers.b, where=of_call(invite.call_id))
    if got is None:
        raise NoMessage(f"the DUT forwards the UAC's CANCEL: none reached {' or '.join(where(p) for p in targets)}")
    got[0].respond(got[1], 200, headers=[(MARK, got[0].name)])
    end_branch(branch)
    await_first(targets, "ACK", timers.ack, where=of_call(invite.call_id))
    return StatelessCall(peer, delivered(targets, invite.call_id))
