"""What the stateful faulty proxy keeps (RFC 3261 §16.6-16.10): response contexts and their branches; and the
small helpers of its forwarding."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from sipconform.peer import SipPeer
from sipconform.sip import Request, Response, SipUri

Address = tuple[str, int]
FORK_HEADER, USER, PASSWORD, REALM = "X-Fork-To", "alice", "secret", "sipconform"
ACK_FAULTS = {"ack-after-cancel-200", "ack-without-from-tag", "ack-to-without-tag", "ack-two-vias",
               "ack-without-route", "ack-with-body", "no-ack", "ack-final-once"}
TIMER_E_FAULTS = ("cancel-no-t2-cap", "cancel-ignores-100")  # the CANCEL's Timer E done by hand, wrongly
NOT_IN_CANCEL = ("contact", "subject", "priority", "organization", "allow", "accept", "alert-info", "expires")
STATEFUL_UNMATCHED = ("stateful-unmatched-cancel", "stateful-unmatched-cancel-no-100", "stateful-unmatched-cancel-408")


@dataclass
class Branch:
    peer: SipPeer
    invite: Request                   # as forwarded
    dest: Address
    state: str = "calling"            # calling | proceeding | done
    tag: str | None = None            # To tag of its 1xx
    final: Response | None = None
    cancel: Request | None = None
    cancel_wanted: tuple[str, str | None] | None = None  # (why, Reason): CANCEL once a 1xx comes (§9.1)
    cancel_answered: bool = False
    cancel_final: bool = False        # its CANCEL got a final response
    cancel_resent: bool = False       # "resend-cancel-on-200-copy" did so
    give_up_at: float | None = None
    held: Response | None = None      # a 487 whose ACK waits ("ack-after-cancel-200")
    timer_c_at: float | None = None   # when Timer C fires (§16.6 step 11, §16.8)
    target: str | None = None         # the URI it was forked to (None: the Request-URI)
    alternatives: list[Address] = field(default_factory=list)  # further servers RFC 3263 found, in order


@dataclass
class Context:
    peer: SipPeer
    request: Request                  # as received
    source: Address
    branches: list[Branch] = field(default_factory=list)
    cancel: Request | None = None     # the upstream CANCEL
    final_sent: bool = False


def other_headers(resp: Response) -> list[tuple[str, str]]:
    return [(h.name, h.value) for h in resp.headers
            if h.key not in ("via", "from", "to", "call-id", "cseq", "content-length")]


def pop_via(resp: Response) -> Response:
    first = next(i for i, h in enumerate(resp.headers) if h.key == "via")
    return resp.with_headers(h for i, h in enumerate(resp.headers) if i != first)  # type: ignore[return-value]


def target_of(uri: str) -> tuple[Address, str]:
    u = SipUri.parse(uri)
    return (u.host.strip("[]"), u.port or 5060), (u.transport or "udp").lower()


def authorized(req: Request) -> bool:
    """Does ``req`` carry Digest credentials (RFC 2617, MD5) of USER/PASSWORD in REALM?"""
    value = req.header("proxy-authorization") or ""
    p = {k.lower(): a or b for k, a, b in re.findall(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))', value)}
    md5 = lambda text: hashlib.md5(text.encode()).hexdigest()  # noqa: E731, S324
    ha1, ha2 = md5(f"{USER}:{REALM}:{PASSWORD}"), md5(f"{req.method}:{p.get('uri', '')}")
    tail = f"{p.get('nc')}:{p.get('cnonce')}:{p.get('qop')}:" if p.get("qop") else ""
    return p.get("response") == md5(f"{ha1}:{p.get('nonce')}:{tail}{ha2}")
