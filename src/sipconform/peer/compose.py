"""Requests a peer originates, correct by construction (§8.1.1); a test may then break them on purpose.

Pure functions: the peer passes its identity (sent-by, transport, Contact) and fresh identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sipconform.sip.build import request as build_request
from sipconform.sip.headers import NameAddr
from sipconform.sip.message import Request, Response

__all__ = ["Identity", "compose", "dialog_fields", "host_port"]

# §7.3.3 compact forms used when ``compact=True``.
_COMPACT = {"Via": "v", "From": "f", "To": "t", "Call-ID": "i", "Contact": "m", "Content-Type": "c",
            "Content-Length": "l"}


def host_port(addr: tuple[str, int]) -> str:
    """``host:port`` with IPv6 references in brackets (§19.1.1, §25.1 hostport)."""
    host, port = addr
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True)
class Identity:
    """Who the peer is on the wire."""

    transport: str          # "udp" | "tcp"
    sent_by: str            # host:port for Via (§18.1.1)
    contact: str            # a SIP URI where it can be reached (§8.1.1.8)

    @property
    def via_transport(self) -> str:
        return self.transport.upper()


@dataclass(frozen=True)
class DialogFields:
    """Call-ID, From, To, Request-URI and Route set for a request inside an existing dialog (§12.2.1.1)."""

    call_id: str
    from_: str
    to: str
    uri: str
    routes: tuple[str, ...]


def dialog_fields(msg: Request | Response, local_tag: str | None) -> DialogFields:
    """From a response to our request (we are the UAC) or a request we answered (we are the UAS).

    UAC: From and To as in the response, target = its Contact, route set = Record-Route reversed.
    UAS: From = the request's To with ``local_tag``, To = its From, target = its Contact, route set =
    Record-Route in order (§12.1.1).
    """
    contact = msg.header("contact")
    target = NameAddr.parse(contact.split(",")[0]).uri if contact else None
    if isinstance(msg, Response):
        routes = tuple(rr.text for rr in reversed(msg.record_routes))
        return DialogFields(msg.call_id, msg.from_.text, msg.to.text, target or msg.to.uri, routes)
    to = msg.to.text if msg.to.tag or local_tag is None else f"{msg.to.text};tag={local_tag}"
    routes = tuple(rr.text for rr in msg.record_routes)
    return DialogFields(msg.call_id, to, msg.from_.text, target or msg.from_.uri, routes)


def compose(method: str, uri: str, *, me: Identity, branch: str, call_id: str, from_: str, to: str, cseq: int,
            headers: Iterable[tuple[str, str]] = (), body: bytes = b"", route: Iterable[str] = (),
            compact: bool = False, content_type: str = "application/sdp") -> Request:
    """A request with the mandatory header fields of §8.1.1 in the usual order, Contact for INVITE
    (§8.1.1.8), the given extra ``headers`` after them, and Content-Length last."""
    extra = list(headers)
    names = {name.lower() for name, _ in extra}

    def name(long: str) -> str:
        return _COMPACT.get(long, long) if compact else long

    fields: list[tuple[str, str]] = [(name("Via"), f"SIP/2.0/{me.via_transport} {me.sent_by};branch={branch}")]
    fields += [("Route", r) for r in route]
    fields += [("Max-Forwards", "70"), (name("From"), from_), (name("To"), to), (name("Call-ID"), call_id),
               ("CSeq", f"{cseq} {method}")]
    if method in ("INVITE", "SUBSCRIBE", "REFER", "UPDATE") and not names & {"contact", "m"}:
        fields.append((name("Contact"), f"<{me.contact}>"))
    fields += extra
    if body and not names & {"content-type", "c"}:
        fields.append((name("Content-Type"), content_type))
    if not names & {"content-length", "l"}:
        fields.append((name("Content-Length"), str(len(body))))
    return build_request(method, uri, fields, body)
