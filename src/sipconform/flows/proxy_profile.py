"""What the DUT-as-proxy's typed profile says about how to drive it (``[capabilities]``).

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
"""

from __future__ import annotations

from sipconform.dut.profile import DutProfile
from sipconform.peer import NoMessage

__all__ = ["RFC_TIMER_C", "NoForkHeader", "downstream_transport", "fork_header", "routing", "timer_c"]


class NoForkHeader(NoMessage):
    """The profile declares no ``[capabilities] fork_header``: the second branch awaited cannot come (the module
    takes it for a missing precondition)."""


RFC_TIMER_C = 180.0
"""§16.6 step 11: "The timer MUST be larger than 3 minutes"."""


def timer_c(dut: DutProfile) -> tuple[float, bool]:
    """The DUT's Timer C: ``[capabilities] timer_c`` seconds, else the RFC's 3 minutes; and whether declared."""
    value = dut.capabilities.timer_c
    return (value, True) if value is not None else (RFC_TIMER_C, False)


def routing(dut: DutProfile) -> str:
    """``[capabilities] routing`` (checked against the schema's choices when the profile is loaded)."""
    return dut.capabilities.routing


def fork_header(dut: DutProfile) -> str:
    """The header that makes the DUT fork; ``NoForkHeader`` if the profile declares none."""
    name = dut.capabilities.fork_header
    if not name:
        raise NoForkHeader("the clause needs a forking proxy and the profile declares no [capabilities] "
                           "fork_header, the way to make the DUT fork an INVITE")
    return str(name)


def downstream_transport(dut: DutProfile, upstream: str, legs: str) -> str | None:
    """``same``: the UAC's transport (a WebSocket's stream counterpart, TCP for WS and TLS for WSS: RFC 7118 §5
    has only clients open WebSocket connections, so a proxy reaches a UAS that is no WebSocket client of it
    over TCP or TLS); ``other``: the other one, or None if the DUT does not run it."""
    if legs == "same":
        return {"ws": "tcp", "wss": "tls"}.get(upstream, upstream)
    other = "tcp" if upstream == "udp" else "udp"
    return other if other in dut.transports else None
