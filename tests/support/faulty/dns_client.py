"""A minimal RFC 3263 client for the faulty devices: where to send a request for a SIP URI.

A numeric host is used as it is; a domain name with a port is looked up as A (§4.2); one without a port
as SRV ``_sip._<transport>`` (the URI's transport, else UDP; no NAPTR), each target then as A. Queries go
to one DNS server (the suite's, the device's profile names it) over UDP with dnslib, bounded by
``TIMEOUT_S``. Records of equal priority are put in a deterministic order, by target name then port
(RFC 3263 §4.4: "The stateless proxy MUST define a deterministic order").
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from dnslib import QTYPE, DNSRecord

from sipconform.sip import SipUri

__all__ = ["TIMEOUT_S", "Target", "locate"]

Address = tuple[str, int]
TIMEOUT_S = 1.0


@dataclass(frozen=True)
class Target:
    """One place to send to: from an SRV record (priority, weight, its target's name) or a plain host."""

    address: Address
    priority: int = 0
    weight: int = 0
    name: str = ""


def _ask(dns: Address, name: str, qtype: str) -> list[object]:
    reply = DNSRecord.parse(DNSRecord.question(name, qtype).send(dns[0], dns[1], timeout=TIMEOUT_S))
    return [rr.rdata for rr in reply.rr if rr.rtype == getattr(QTYPE, qtype)]


def _is_numeric(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def locate(uri: str, dns: Address | None) -> tuple[list[Target], str]:
    """The targets for ``uri`` in the order to try them (RFC 3263 §4.2, RFC 2782), and the transport."""
    u = SipUri.parse(uri)
    host, transport = u.host.strip("[]"), (u.transport or "udp").lower()
    if _is_numeric(host) or dns is None:
        return [Target((host, u.port or 5060))], transport
    if u.port:
        return [Target((str(a), u.port), name=host) for a in _ask(dns, host, "A")], transport
    records = _ask(dns, f"_sip._{transport}.{host}", "SRV")
    if not records:
        return [Target((str(a), 5060), name=host) for a in _ask(dns, host, "A")], transport
    out = []
    for srv in sorted(records, key=lambda r: (r.priority, str(r.target).lower(), r.port)):  # type: ignore[attr-defined]
        name = str(srv.target).rstrip(".")  # type: ignore[attr-defined]
        out += [Target((str(a), srv.port), srv.priority, srv.weight, name)  # type: ignore[attr-defined]
                for a in _ask(dns, name, "A")]
    return out, transport
