"""The sans-IO SIP core: message model, parsing, framing, builders, matching, timers, transactions.

No sockets, no clock, no pytest. Everything takes bytes or messages and returns messages, bytes or
actions, so it can be tested with plain values.
"""

from sipconform.sip.build import ack_for_2xx, ack_for_non2xx, cancel_for, request, response_to
from sipconform.sip.errors import ParseError, SipError
from sipconform.sip.framing import StreamFramer
from sipconform.sip.grammar import BRANCH_MAGIC_COOKIE, canonical_name
from sipconform.sip.headers import CSeq, NameAddr, Via
from sipconform.sip.matching import cancel_matches, matches_transaction, transaction_key
from sipconform.sip.message import HeaderField, Message, Request, Response
from sipconform.sip.parse import DEFAULT_MAX_SIZE, parse_message
from sipconform.sip.timers import Timers
from sipconform.sip.uri import SipUri

__all__ = [
    "BRANCH_MAGIC_COOKIE", "CSeq", "DEFAULT_MAX_SIZE", "HeaderField", "Message", "NameAddr", "ParseError",
    "Request", "Response", "SipError", "SipUri", "StreamFramer", "Timers", "Via", "ack_for_2xx",
    "ack_for_non2xx", "cancel_for", "cancel_matches", "canonical_name", "matches_transaction",
    "parse_message", "request", "response_to", "transaction_key",
]
