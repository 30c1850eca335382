"""The transport vocabulary of the sans-IO core: Via tokens, default ports, URIs, framing, reliability."""

from __future__ import annotations

import pytest

from sipconform.sip.transports import (
    MESSAGE_FRAMED, RELIABLE, SECURE, TRANSPORTS, default_port, sip_uri, via_token,
)
from sipconform.sip.uri import SipUri


@pytest.mark.parametrize(("transport", "uri"), [
    ("udp", "sip:bob@[::1]:5070"),
    ("tcp", "sip:bob@[::1]:5070;transport=tcp"),                    # §19.1.1
    ("tls", "sips:bob@[::1]:5070"),                                 # §26.2.1: sips means TLS
    ("ws", "sip:bob@[::1]:5070;transport=ws"),                      # RFC 7118 §5.3
    ("wss", "sips:bob@[::1]:5070;transport=ws"),
])
def test_uri_per_transport(transport, uri):
    assert sip_uri("bob", "[::1]:5070", transport) == uri
    parsed = SipUri(uri)
    assert (parsed.scheme == "sips") == (transport in SECURE) and parsed.host == "[::1]" and parsed.port == 5070


def test_tokens_ports_and_classes():
    assert [via_token(t) for t in TRANSPORTS] == ["UDP", "TCP", "TLS", "WS", "WSS"]   # §20.42, RFC 7118 §5.2
    assert [default_port(t) for t in TRANSPORTS] == [5060, 5060, 5061, 80, 443]       # §19.1.2
    assert RELIABLE == {"tcp", "tls", "ws", "wss"} and MESSAGE_FRAMED == {"udp", "ws", "wss"}
