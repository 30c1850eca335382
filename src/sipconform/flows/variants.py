"""Requests that differ from the §9.1 CANCEL (or the INVITE) in exactly one way, for the §17.2.3 matching clauses and
the §18.2 Via clauses: builders only, nothing sent."""

from __future__ import annotations

from sipconform.dut.profile import DutProfile
from sipconform.flows.uas import Call, target_uri
from sipconform.peer import SipPeer
from sipconform.sip import Request, cancel_for

__all__ = ["cancel_for_no_call", "cancel_with_other_branch", "cancel_with_other_sent_by",
           "with_sent_by", "with_top_via"]


def with_top_via(request: Request, via: str) -> Request:
    """``request`` with its (single) Via replaced by ``via``."""
    return request.set_header("Via", via)


def with_sent_by(request: Request, *, host: str | None = None, port: int | None = None,
                 rport: bool = False) -> Request:
    """``request`` with another sent-by host and/or port in its (single) Via, and an empty ``rport``
    parameter added if asked (RFC 3581 §3); branch and other parameters kept."""
    top = request.top_via
    host = host or top.host
    port = port or top.port
    params = "".join(f";{k}" + (f"={v}" if v is not None else "") for k, v in top.params)
    return with_top_via(request, f"{top.sent_protocol} {host}" + (f":{port}" if port else "") + params
                        + (";rport" if rport and top.rport is None else ""))


def cancel_with_other_branch(call: Call) -> Request:
    """The call's CANCEL with a fresh branch in its Via: it matches no transaction (§17.2.3 rule 1)."""
    top = call.invite.top_via
    params = "".join(f";{k}" + (f"={v}" if v is not None else "") for k, v in top.params if k.lower() != "branch")
    return with_top_via(cancel_for(call.invite),
                        f"{top.sent_protocol} {top.sent_by};branch={call.peer.new_branch()}{params}")


def cancel_with_other_sent_by(call: Call) -> Request:
    """The call's CANCEL with the same branch but another sent-by host (§17.2.3 rule 2).

    The host is another loopback address: the DUT answers to the packet's source (§18.2.2 adds
    ``received``), so the response still reaches the peer.
    """
    top = call.invite.top_via
    other_host = "127.0.0.3" if top.host != "127.0.0.3" else "127.0.0.4"
    sent_by = f"{other_host}:{top.port}" if top.port else other_host
    params = "".join(f";{k}" + (f"={v}" if v is not None else "") for k, v in top.params)
    return with_top_via(cancel_for(call.invite), f"{top.sent_protocol} {sent_by}{params}")


def cancel_for_no_call(peer: SipPeer, dut: DutProfile) -> Request:
    """A well-formed CANCEL for an INVITE that was never sent."""
    invite = peer.invite((dut.host, dut.port), uri=target_uri(dut, peer.transport))
    return cancel_for(invite)
