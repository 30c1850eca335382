"""RFC 3263 failover steps still used by the UAC and proxy RFC3263-4-1 modules; the rest moved to
``sipconform.flows.locating`` (re-exported here until the merge).

The failover flow (``failover``): SRV priority 0 -> ``t1``, priority 1 -> ``t2``; t1 answers the INVITE 503,
which RFC 3263 §4.3 counts as a failure ("the client SHOULD create a new request ... sent to the next
element"), so the DUT sends a new INVITE to t2; t2 rings. Where the CANCEL of that INVITE goes then tells
whether the DUT remembered the server it reached (§4) or resolved the domain afresh (priority 0: t1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sipconform.flows.locating import domain_uri, misdirected, of_call, publish, where
from sipconform.peer import SipPeer
from sipconform.peer.dns import Zone
from sipconform.scenario.uac import Target, await_first, refused
from sipconform.sip import Request
from sipconform.verdict import Inconclusive
from sipconform.verify.server_location import cancel_to_server_reached

__all__ = ["Failover", "ack_destination", "assert_same_server", "cancel_destination", "domain_uri", "failover",
           "misdirected", "publish", "resolving_target", "where"]


def resolving_target(zone: Zone, user: str, transport: str) -> Target:
    """Where a DUT acting as UAC is to call: ``domain_uri``, and as its address the domain with port 0 (no
    outbound proxy, no port: the DUT locates the server itself; an exec upper tester gets ``{port}`` = 0)."""
    return Target(domain_uri(zone, user, transport), zone.origin, 0, transport)


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
    found = await_first([t1, t2], "INVITE", within, where=None if call_id is None else of_call(call_id))
    if found is None:
        raise Inconclusive(f"precondition not reached: the DUT sends the INVITE for {zone.origin} to the server "
                           f"its SRV records name: none reached {where(t1)} or {where(t2)}; the DUT asked the "
                           f"suite's DNS server: {zone.asked()}")
    peer, first = found
    if peer is not t1:
        raise Inconclusive(f"precondition not reached: the DUT tries {where(t1)} (SRV priority 0) first: its "
                           f"INVITE went to {where(t2)} (priority 1), so no failover could be seen")
    answer_503(first)
    second = await_first([t2], "INVITE", within, where=of_call(first.call_id))
    if second is None:
        raise Inconclusive(f"precondition not reached: after the 503 of {where(t1)} the DUT tries the next SRV "
                           f"target (RFC 3263 §4.3, a SHOULD): no INVITE reached {where(t2)}")
    return Failover(zone, t1, t2, first, second[1])


def cancel_destination(tried: Failover, within: float) -> tuple[SipPeer, Request]:
    """The first CANCEL of t2's INVITE (its Via branch, §9.1) at t2 or t1 (``Inconclusive`` if none comes
    ``within``: a CANCEL sent anywhere else cannot be seen)."""
    branch = tried.second.top_via.branch
    found = await_first([tried.t2, tried.t1], "CANCEL", within,
                        where=of_call(tried.second.call_id, lambda r: r.top_via.branch == branch), until_refused=True)
    if found is None:
        raise Inconclusive(f"precondition not reached: the DUT sends a CANCEL for the INVITE t2 rang for (Via "
                           f"branch {branch}): none reached {where(tried.t2)} or {where(tried.t1)} within "
                           f"{within:.3g} s{refused([tried.t2, tried.t1], 'CANCEL')}")
    return found


def ack_destination(tried: Failover, to_tag: str | None, within: float) -> SipPeer | None:
    """Where the ACK of t2's non-2xx final (To tag ``to_tag``) went, waiting up to ``within``; None if nowhere."""
    def acks(r: Request) -> bool:
        return r.top_via.branch == tried.second.top_via.branch or (to_tag is not None and r.to.tag == to_tag)
    found = await_first([tried.t2, tried.t1], "ACK", within, where=of_call(tried.second.call_id, acks))
    return None if found is None else found[0]


def assert_same_server(tried: Failover, cancel_at: SipPeer, to_tag: str | None) -> None:
    """RFC 3263 §4: the CANCEL (and the ACK of the non-2xx) of the INVITE t2 got went to t2, nothing to t1."""
    problems = cancel_to_server_reached(where(tried.t2), where(tried.t1), where(cancel_at),
                                        misdirected(tried.t1, tried.second, to_tag))
    assert not problems, problems[0]
