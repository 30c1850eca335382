"""The fixed message mix the parse benchmark runs over (CRLF line endings, as on the wire).

A CANCEL exchange as a UAC sees it through one proxy: INVITE with SDP, 180 Ringing, CANCEL,
200 OK to the CANCEL, 487 Request Terminated to the INVITE; plus an INVITE that went through many
proxies (many Via and Route lines, one Via line with a comma list) written with compact header
names (i f t v m l). Every message carries the fields the benchmark reads: Call-ID, CSeq, a top Via
with a branch, a From tag; responses and the CANCEL exchange also a To tag where one exists.
"""

from __future__ import annotations

__all__ = ["MIX", "EXPECTED"]


def _crlf(text: str) -> bytes:
    """Join lines with CRLF; ``text`` is written with plain newlines for readability."""
    return text.replace("\n", "\r\n").encode("utf-8")


_SDP = (
    "v=0\n"
    "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\n"
    "s=-\n"
    "c=IN IP4 192.0.2.10\n"
    "t=0 0\n"
    "m=audio 49170 RTP/AVP 0 8 97 101\n"
    "a=rtpmap:0 PCMU/8000\n"
    "a=rtpmap:8 PCMA/8000\n"
    "a=rtpmap:97 iLBC/8000\n"
    "a=rtpmap:101 telephone-event/8000\n"
    "a=fmtp:101 0-15\n"
    "a=sendrecv\n"
)
_SDP_BYTES = _crlf(_SDP)

_CALL_ID = "a84b4c76e66710@pc33.atlanta.example.com"
_BRANCH = "z9hG4bK776asdhds"
_FROM_TAG = "1928301774"
_TO_TAG = "a6c85cf"

INVITE_SDP = _crlf(
    "INVITE sip:bob@biloxi.example.com SIP/2.0\n"
    f"Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch={_BRANCH};rport\n"
    "Max-Forwards: 70\n"
    "To: Bob <sip:bob@biloxi.example.com>\n"
    f"From: \"Alice\" <sip:alice@atlanta.example.com>;tag={_FROM_TAG}\n"
    f"Call-ID: {_CALL_ID}\n"
    "CSeq: 314159 INVITE\n"
    "Contact: <sip:alice@pc33.atlanta.example.com;transport=udp>\n"
    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE\n"
    "Supported: 100rel, timer, replaces\n"
    "User-Agent: ExamplePhone/4.2\n"
    "Content-Type: application/sdp\n"
    f"Content-Length: {len(_SDP_BYTES)}\n"
    "\n"
) + _SDP_BYTES

RINGING_180 = _crlf(
    "SIP/2.0 180 Ringing\n"
    f"Via: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bK4b43c2ff8.1;received=192.0.2.3\n"
    f"Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch={_BRANCH};rport=5060;received=192.0.2.10\n"
    "Record-Route: <sip:server10.biloxi.example.com;lr>\n"
    f"To: Bob <sip:bob@biloxi.example.com>;tag={_TO_TAG}\n"
    f"From: \"Alice\" <sip:alice@atlanta.example.com>;tag={_FROM_TAG}\n"
    f"Call-ID: {_CALL_ID}\n"
    "CSeq: 314159 INVITE\n"
    "Contact: <sip:bob@192.0.2.4>\n"
    "Content-Length: 0\n"
    "\n"
)

CANCEL = _crlf(
    "CANCEL sip:bob@biloxi.example.com SIP/2.0\n"
    f"Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch={_BRANCH};rport\n"
    "Max-Forwards: 70\n"
    "To: Bob <sip:bob@biloxi.example.com>\n"
    f"From: \"Alice\" <sip:alice@atlanta.example.com>;tag={_FROM_TAG}\n"
    f"Call-ID: {_CALL_ID}\n"
    "CSeq: 314159 CANCEL\n"
    "User-Agent: ExamplePhone/4.2\n"
    "Content-Length: 0\n"
    "\n"
)

OK_200_CANCEL = _crlf(
    "SIP/2.0 200 OK\n"
    f"Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch={_BRANCH};rport=5060;received=192.0.2.10\n"
    f"To: Bob <sip:bob@biloxi.example.com>;tag={_TO_TAG}\n"
    f"From: \"Alice\" <sip:alice@atlanta.example.com>;tag={_FROM_TAG}\n"
    f"Call-ID: {_CALL_ID}\n"
    "CSeq: 314159 CANCEL\n"
    "Server: ExampleProxy/1.0\n"
    "Content-Length: 0\n"
    "\n"
)

TERMINATED_487 = _crlf(
    "SIP/2.0 487 Request Terminated\n"
    f"Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch={_BRANCH};rport=5060;received=192.0.2.10\n"
    f"To: Bob <sip:bob@biloxi.example.com>;tag={_TO_TAG}\n"
    f"From: \"Alice\" <sip:alice@atlanta.example.com>;tag={_FROM_TAG}\n"
    f"Call-ID: {_CALL_ID}\n"
    "CSeq: 314159 INVITE\n"
    "Server: ExampleProxy/1.0\n"
    "Content-Length: 0\n"
    "\n"
)

_PROXIES = [f"proxy{n}.transit{n}.example.net" for n in range(1, 9)]
INVITE_MANY_COMPACT = _crlf(
    "INVITE sip:carol@chicago.example.com SIP/2.0\n"
    "v: SIP/2.0/UDP edge.chicago.example.com;branch=z9hG4bKnashds8.top;received=198.51.100.7\n"
    # one line with a comma-joined list of two Via values (§7.3.1)
    "v: SIP/2.0/TCP proxy9.transit9.example.net:5060;branch=z9hG4bK9a9a9a.1, "
    "SIP/2.0/UDP proxy10.transit10.example.net;branch=z9hG4bK10a10a.1\n"
    + "".join(f"Via: SIP/2.0/UDP {host}:5060;branch=z9hG4bK{n}f{n}e{n}d.1;rport\n"
              for n, host in enumerate(_PROXIES, start=1))
    + "Max-Forwards: 61\n"
    + "".join(f"Route: <sip:{host};lr>\n" for host in reversed(_PROXIES))
    + "Route: <sip:core1.chicago.example.com;lr>, <sip:core2.chicago.example.com;lr;transport=tcp>\n"
    "t: Carol <sip:carol@chicago.example.com>\n"
    "f: \"Dave\" <sip:dave@denver.example.com>;tag=887s\n"
    "i: f81d4fae-7dec-11d0-a765-00a0c91e6bf6@denver.example.com\n"
    "CSeq: 4711 INVITE\n"
    "m: <sip:dave@203.0.113.42:5060;transport=udp>\n"
    "k: timer\n"
    "l: 0\n"
    "\n"
)

# name, bytes
MIX: list[tuple[str, bytes]] = [
    ("INVITE+SDP", INVITE_SDP),
    ("180 Ringing", RINGING_180),
    ("CANCEL", CANCEL),
    ("200 OK (CANCEL)", OK_200_CANCEL),
    ("487", TERMINATED_487),
    ("INVITE many Via/Route compact", INVITE_MANY_COMPACT),
]

# What the extraction must find in each message: (call_id, cseq_number, cseq_method, top_branch,
# from_tag, to_tag, via_count). ``via_count`` is the number of parsed Via values the library gave: every
# Via is parsed, not only the top one. The benchmark checks every library against this before timing it.
EXPECTED: dict[str, tuple[str, int, str, str, str, str | None, int]] = {
    "INVITE+SDP": (_CALL_ID, 314159, "INVITE", _BRANCH, _FROM_TAG, None, 1),
    "180 Ringing": (_CALL_ID, 314159, "INVITE", "z9hG4bK4b43c2ff8.1", _FROM_TAG, _TO_TAG, 2),
    "CANCEL": (_CALL_ID, 314159, "CANCEL", _BRANCH, _FROM_TAG, None, 1),
    "200 OK (CANCEL)": (_CALL_ID, 314159, "CANCEL", _BRANCH, _FROM_TAG, _TO_TAG, 1),
    "487": (_CALL_ID, 314159, "INVITE", _BRANCH, _FROM_TAG, _TO_TAG, 1),
    "INVITE many Via/Route compact": ("f81d4fae-7dec-11d0-a765-00a0c91e6bf6@denver.example.com", 4711, "INVITE",
                                      "z9hG4bKnashds8.top", "887s", None, 11),
}
