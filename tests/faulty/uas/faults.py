"""The fault table of the faulty UAS: name -> (the clause it breaks, what the device does wrong),
and the constants a few faults need."""

from __future__ import annotations

from typing import Any

FAULTS: dict[str, tuple[str, str]] = {
    # name: (the clause it breaks, what the device does wrong)
    "no-200-to-cancel": ("RFC3261-9.2-10", "ends the INVITE with 487, then answers its CANCEL 481 as if nothing matched"),
    "no-487": ("RFC3261-9.2-8", "answers the CANCEL 200 but ends the INVITE with 480 instead of 487"),
    "487-new-to-tag": ("RFC3261-8.2.6.2-3", "the 487 carries another To tag than the INVITE's 18x"),
    "cancel-200-other-to-tag": ("RFC3261-9.2-12", "the 200 (CANCEL) carries another To tag than the INVITE's responses"),
    "cancel-200-no-to-tag": ("RFC3261-8.2.6.2-2", "the 200 (CANCEL) has no To tag"),
    "cancel-200-bad-via": ("RFC3261-8.2.6.2-1", "the 200 (CANCEL) has another sent-by port in its Via"),
    "cancel-200-bad-call-id": ("RFC3261-8.2.6.2-1", "the 200 (CANCEL) has another Call-ID"),
    "487-drops-via": ("RFC3261-8.2.6.2-1", "the 487 keeps only the top Via of the INVITE"),
    # malformed messages (RFC 3261 §7.3.1, §7.2): the clause whose test reads the message names the malformation
    "487-two-to": ("RFC3261-9.2-8", "the 487 carries a second To header field (§7.3.1, §20.39)"),
    "cancel-200-sip-7": ("RFC3261-9.2-10", "the 200 (CANCEL) says SIP/7.0 in its Status-Line (§7.2: SIP/2.0)"),
    "unmatched-cancel-200": ("RFC3261-9.2-6", "answers 200 (with no effect) to a CANCEL that matches nothing"),
    "match-on-call-id-only": ("RFC3261-9.2-1", "matches a CANCEL to the pending INVITE with its Call-ID, whatever else differs"),
    "match-ignores-branch": ("RFC3261-17.2.3-1", "matches a CANCEL on Call-ID, From tag, CSeq and sent-by, whatever its branch"),
    "match-ignores-sent-by": ("RFC3261-17.2.3-2", "matches a CANCEL on its branch alone, whatever its sent-by"),
    "no-rfc2543-matching": ("RFC3261-17.2.3-3", "a CANCEL without an RFC 3261 branch matches nothing (481)"),
    "cancel-after-final-487": ("RFC3261-9.2-7", "a CANCEL after the final response makes it send a 487 on the INVITE too"),
    "late-cancel-kills-dialog": ("RFC3261-9-1", "a CANCEL after the 200 tears the dialog down (a BYE then gets 481)"),
    "cancel-after-2xx-481": ("RFC6026-6-1", "destroys the INVITE transaction with its 2xx: a CANCEL after it gets 481"),
    "487-not-retransmitted": ("RFC3261-17.2.1-2", "sends the 487 once over UDP: no Timer G retransmissions"),
    "ack-does-not-stop-487": ("RFC3261-17.2.1-4", "goes on sending the 487 after its ACK"),
    "cancel-timer-j-short": ("RFC3261-17.2.2-2", "the CANCEL's server transaction lasts 4*T1, not 64*T1 (Timer J); a later "
                             "copy of the CANCEL is taken for a new one, for an INVITE already cancelled: 481"),
    "cancel-without-transaction": ("RFC3261-9.2-13", "answers a CANCEL around its server transaction: a retransmitted "
                                   "CANCEL gets no response"),
    "487-to-cancel": ("RFC3261-21.4.25-1", "answers every CANCEL 487"),
    "require-in-cancel-420": ("RFC3261-8.2.2.3-2", "answers a CANCEL with Require or Proxy-Require 420 (Bad Extension)"),
    "challenge-cancel": ("RFC3261-22.1-1", "answers every CANCEL 407 (Proxy Authentication Required)"),
    "180-to-cancel": ("RFC4320-4.1-1", "sends 180 to a CANCEL before its 200"),
    "cancel-not-allowed-405": ("RFC3261-13.1-1", "answers every CANCEL 405 (Method Not Allowed)"),
    "unknown-header-400": ("RFC3261-9.2-3", "answers a CANCEL with a header field it does not know 400"),
    "reason-400": ("RFC3326-2-5", "answers a CANCEL whose Reason protocol it does not know 400"),
    "bye-early-no-final": ("RFC3261-15.1.2-1", "answers a BYE in an early dialog 200 but never ends the pending INVITE"),
    "bye-early-480": ("RFC3261-15.1.2-1", "ends the INVITE pending under a BYE'd early dialog with 480, not 487"),
    "bye-on-reject": ("RFC3261-15-2", "told to reject a ringing call, sends a BYE in its early dialog instead of a "
                      "final response"),
    "cancel-on-reject": ("RFC3261-15-2", "told to reject a ringing call, sends a CANCEL for it, then 486"),
    "cancel-200-bad-cseq": ("RFC3261-9.2-11", "the 200 (CANCEL) carries the CANCEL's CSeq number plus one"),
    "options-cancelled-487": ("RFC3261-9.2-9", "a CANCEL for an answered OPTIONS makes it send a 487 to the OPTIONS"),
    "cancel-copy-481": ("RFC3261-17.2.2-1", "forgets the CANCEL's server transaction once answered: a copy of "
                        "the CANCEL is a new one, for an INVITE already cancelled: 481"),
    "cancel-merged-482": ("RFC3261-8.2.2.2-1", "a CANCEL matching no transaction but with an INVITE's From tag, "
                          "Call-ID and CSeq number is taken for a merged request: 482"),
    "slow-provisional": ("RFC3261-17.2.1-1", "sends the 180 (and no 100) 400 ms after the INVITE"),
    "cancel-leaves-invite-pending": ("RFC3261-28.1-2", "answers the CANCEL 200 but leaves the INVITE pending "
                                     "(until its no-answer timer)"),
    "100-to-cancel": ("RFC3261-8.2.6.1-1", "sends 100 Trying to a CANCEL before its 200"),
    "no-received": ("RFC3261-18.2.1-1", "adds no received parameter to the top Via (only fills in rport)"),
    "rport-not-filled": ("RFC3581-4-1", "leaves an empty rport empty (and adds received only when the sent-by "
                         "differs from the source)"),
    "response-to-source-port": ("RFC3261-18.2.2-2", "over UDP answers the source port, whatever the sent-by port"),
    "rport-ignored": ("RFC3581-4-2", "over UDP answers the sent-by port even when the Via has rport"),
    "cancel-200-on-invite-connection": ("RFC3261-18.2.2-1", "over TCP sends the 200 (CANCEL) on the INVITE's "
                                        "connection, not the CANCEL's"),
    "connection-close-cancels": ("RFC3261-28.1-1", "over TCP ends a pending INVITE with 487 once its connection "
                                 "closes (RFC 2543)"),
    "allow-without-cancel": ("RFC3261-20.5-1", "its Allow (in the 200 to OPTIONS) leaves CANCEL out, though it "
                             "handles CANCEL"),
    "na-header-400": ("RFC3261-20-2", "answers a CANCEL carrying a header field not applicable to CANCEL "
                      "(Contact, Expires, Subject, ...) 400"),
    "accepted-forgets-invite": ("RFC6026-7.1-1", "ends the INVITE server transaction with its 2xx: a retransmitted "
                                "INVITE is a new call (200 with another To tag)"),
    "expires-ignored": ("RFC3261-13.3.1-1", "lets an INVITE ring past its Expires"),
    "timer-h-long": ("RFC3261-17.2.1-3", "Timer H of the INVITE server transaction is 256*T1: an unACKed 487 "
                     "goes on being retransmitted past 64*T1"),
    "drop-on-transport-error": ("RFC6026-6-2", "destroys the INVITE server transaction (and forgets the call) when "
                                "a response to the INVITE cannot be sent (RFC 3261 Figure 7)"),
    "transport-error-ends-transaction": ("RFC6026-7.1-2", "ends the INVITE server transaction when a response to "
                                         "the INVITE cannot be sent, the call going on: the INVITE sent again "
                                         "is a new call"),
    # RFC 3262 (reliable provisional responses: the INVITE has 100rel in Supported or Require)
    "487-waits-for-prack": ("RFC3262-3-1", "holds the 487 of a cancelled INVITE back until its reliable 180 is "
                            "PRACKed"),
    "prack-after-final-unanswered": ("RFC3262-3-2", "leaves a PRACK unanswered once the INVITE has its final "
                                     "response"),
    "reliable-180-outlives-final": ("RFC3262-3-2", "goes on retransmitting an unPRACKed reliable 180 after the "
                                    "final response"),
    "new-reliable-180-after-final": ("RFC3262-3-3", "sends a new reliable 180 (the next RSeq) after the final "
                                     "response"),
    "no-ringing-refresh": ("RFC3261-13.3.1.1-1", "sends its 180 once and no other provisional while the INVITE "
                           "rings (for two minutes)"),
    # RFC 6141 (re-INVITE in a confirmed dialog: a reliable 183 with the SDP answer, then held)
    "reinvite-487-after-executed": ("RFC6141-3.8-1", "answers 487 to a re-INVITE cancelled after its offer/answer "
                                    "completed (reliable 183 PRACKed), instead of a 2xx"),
    "reinvite-500-after-executed": ("RFC6141-3.3-1", "rolls back a re-INVITE's executed change (reliable 183 "
                                    "PRACKed) when it is cancelled and answers it 500"),
    # a stateless UAS (§8.2.7)
    "stateless-answers-cancel": ("RFC3261-8.2.7-1", "a stateless UAS that answers a CANCEL 481 instead of "
                                 "ignoring it"),
}

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
    entry = peer._server_entry(req)  # noqa: SLF001
    if entry is not None and entry.conn is None:
        entry.dest = (entry.dest[0], req.top_via.port or 5060)
