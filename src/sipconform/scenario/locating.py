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

from sipconform.peer import SipPeer
from sipconform.peer.dns import Zone
from sipconform.scenario.uac import await_first
from sipconform.sip import Request
from sipconform.verdict import Inconclusive

__all__ = ["Delivery", "Failover", "ack_destination", "assert_same_server", "cancel_destination", "delivered",
           "domain_uri", "failover", "misdirected", "publish", "where"]

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


def failover(zone: Zone, t1: SipPeer, t2: SipPeer, call_id: Callable[[], str | None], within: float,
             answer_503: Callable[[Request], object]) -> Failover:
    """With ``publish``-ed t1 (priority 0) and t2 (priority 1): wait for the DUT's INVITE at t1 (first,
    as RFC 2782 orders them), answer it 503 with ``answer_503``, wait for the new INVITE at t2.
    ``call_id()``: the call's Call-ID if the test knows it (a proxy test), else None (any INVITE).
    Each step the DUT does not take is ``Inconclusive``, with what it asked the DNS server."""
    def ours(r: Request) -> bool:
        known = call_id()
        return known is None or r.call_id == known

    found = await_first([t1, t2], "INVITE", within, where=ours)
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
    of the call, an ACK with the INVITE's branch or ``to_tag`` (the ACK of a non-2xx, §17.1.1.3)."""
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
        elif m.method == "CANCEL" and m.top_via.branch != invite.top_via.branch:
            out.append(f"a CANCEL for another branch ({m.top_via.branch})")
    return out


@dataclass
class Delivery:
    """Where each request of one call through a stateless DUT arrived: peer name -> methods, in order."""

    at: dict[str, list[str]]

    def servers(self, method: str | None = None) -> list[str]:
        return [name for name, methods in self.at.items() if method is None or method in methods]

    def __str__(self) -> str:
        return "; ".join(f"{name}: {', '.join(methods)}" for name, methods in self.at.items() if methods)


def delivered(peers: Sequence[SipPeer], call_id: str) -> Delivery:
    """Every request of the call each peer received (retransmissions included), by peer."""
    return Delivery({p.name: [i.message.method for i in p.received()
                              if isinstance(i.message, Request) and i.message.call_id == call_id]
                     for p in peers})


def cancel_destination(tried: Failover, within: float) -> tuple[SipPeer, Request]:
    """The first CANCEL of the call at t2 or t1 (``Inconclusive`` if none comes ``within``: a CANCEL sent
    anywhere else cannot be seen)."""
    found = await_first([tried.t2, tried.t1], "CANCEL", within, where=_of_call(tried.second.call_id))
    if found is None:
        raise Inconclusive(f"precondition not reached: the DUT sends a CANCEL for its INVITE: none reached "
                           f"{where(tried.t2)} or {where(tried.t1)} within {within:.3g} s")
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
