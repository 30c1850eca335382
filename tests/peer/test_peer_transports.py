"""Every transport on IPv4 and IPv6 (issue 16 item 1): the same CANCEL exchange, the Via token, the URI
scheme and transport parameter, reliability (no retransmission timers on reliable transports)."""

from __future__ import annotations

import pytest

from sipconform.peer import SipPeer
from sipconform.sip.timers import Timers
from sipconform.sip.transports import RELIABLE, TRANSPORTS

T = Timers(t1=0.02, t2=0.08, t4=0.1)
URI = {"udp": ("sip:", ""), "tcp": ("sip:", ";transport=tcp"), "tls": ("sips:", ""),
       "ws": ("sip:", ";transport=ws"), "wss": ("sips:", ";transport=ws")}


@pytest.mark.parametrize("host", [pytest.param("127.0.0.1", id="ipv4"), pytest.param("::1", id="ipv6")])
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_cancel_exchange_on_every_transport_and_family(pki, reactor, cancel_exchange, transport, host) -> None:
    tls = pki.config() if transport in ("tls", "wss") else None
    with SipPeer(transport, timers=T, reactor=reactor, host=host, name="uac", tls=tls) as uac, \
            SipPeer(transport, timers=T, reactor=reactor, host=host, name="uas", tls=tls) as uas:
        invite = uac.invite(uas.address)
        scheme, param = URI[transport]
        assert invite.uri.startswith(scheme) and invite.uri.endswith(param)
        assert invite.top_via.transport == transport.upper()
        assert (":" in uac.address[0]) == (":" in host) and invite.top_via.host.startswith("[") == (":" in host)
        cancel_exchange(uac, uas)
        retransmitted = [r for r in uac.wire.records if "retransmission" in r.note]
        assert transport not in RELIABLE or not retransmitted         # §17.1.1.2: no Timer A on reliable ones
