"""The faulty UAS's faults (from the fault table, ``faulty.table_uas``) and the constants a few faults need."""

from __future__ import annotations

from typing import Any

from faulty.table import faults_of
from faulty.table_uas import UAS

FAULTS = faults_of(UAS)
"""name -> (the clause it breaks, what the device does wrong), from the fault table."""

TRANSPORT_ERROR_ENDS = frozenset({"drop-on-transport-error", "transport-error-ends-transaction"})
"""Faults whose INVITE server transactions end on a transport error (RFC 3261 Figure 7, not RFC 6026 §7.1)."""

STATELESS_FAULTS = frozenset({"stateless-answers-cancel"})
"""Faults of the device's stateless mode (§8.2.7): the device runs stateless with them."""

# Header fields Tables 2 and 3 mark not applicable ("-") to CANCEL, that the "na-header-400" device chokes on.
NOT_APPLICABLE_TO_CANCEL = frozenset({"contact", "expires", "subject", "priority", "organization", "accept",
                                      "alert-info", "in-reply-to"})

VIA_PARAMS_OF = {"no-received": ("rport",), "rport-not-filled": ("received",)}
"""The server-added Via parameters (``SERVER_VIA_PARAMS``) a fault leaves out."""

SLOW_PROVISIONAL_DELAY = 0.4
"""The "slow-provisional" device's delay before its 180: twice the 200 ms of §17.2.1."""

ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS"
# Header fields the "unknown-header-400" device knows; everything else in a CANCEL makes it choke.
KNOWN_HEADERS = frozenset({
    "via", "max-forwards", "from", "to", "call-id", "cseq", "content-length", "content-type", "route",
    "record-route", "contact", "require", "proxy-require", "supported", "reason", "user-agent", "allow",
    "accept", "timestamp", "date", "authorization", "proxy-authorization",
})
KNOWN_REASON_PROTOCOLS = frozenset({"sip", "q.850"})


def route_to_sent_by(peer: Any, req: Any) -> None:
    """The "rport-ignored" fault (UAS and proxy): UDP responses to ``req`` go to its sent-by port whatever
    the rport (``peer`` a SipPeer, ``req`` the Request)."""
    entry = peer.transaction_of(req)
    if entry is not None and entry.conn is None:
        entry.dest = (entry.dest[0], req.top_via.port or 5060)
