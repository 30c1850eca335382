"""Peer against peer over real TLS on loopback, IPv4 and IPv6: the CANCEL exchange on one connection,
failed handshakes as clear events (untrusted CA, name mismatch, missing client certificate), mutual TLS,
verification off, TLS 1.2 and 1.3, SNI, session keys (RFC 3261 §26.2, §26.3.1)."""

from __future__ import annotations

import ssl
import pytest

from sipconform.peer import NoMessage, SipPeer
from sipconform.peer.certs import ThrowawayPki
from sipconform.peer.tls import TlsConfig, server_context
from sipconform.report.pcap import pcap_bytes
from sipconform.sip.timers import Timers

T = Timers(t1=0.02, t2=0.08, t4=0.1)
FAMILIES = [pytest.param("127.0.0.1", id="ipv4"), pytest.param("::1", id="ipv6")]


@pytest.mark.parametrize("host", FAMILIES)
def test_cancel_exchange_over_tls(pki, reactor, host, cancel_exchange, notes) -> None:
    tls = pki.config()
    with SipPeer("tls", timers=T, reactor=reactor, host=host, name="uac", tls=tls) as uac, \
            SipPeer("tls", timers=T, reactor=reactor, host=host, name="uas", tls=tls) as uas:
        invite = uac.invite(uas.address)
        assert invite.uri.startswith("sips:") and invite.top_via.transport == "TLS"   # §26.2, §20.42
        assert uac.contact.startswith("sips:")
        cancel_exchange(uac, uas)
        ready = [n for n in notes(uac) if n.startswith("TLS established")]
        assert ready and "as client" in ready[0] and f"server name {host!r}" in ready[0]
        assert any(n.startswith("TLS established as server") for n in notes(uas))
        assert all(r.transport == "tls" for r in uac.wire.records)
        assert {r.ip_version for r in uac.wire.records} == {6 if ":" in host else 4}


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_tls_1_2_and_1_3(pki, reactor, version, cancel_exchange, notes) -> None:
    client = pki.config(minimum=version, maximum=version)
    with SipPeer("tls", timers=T, reactor=reactor, name="uac", tls=client) as uac, \
            SipPeer("tls", timers=T, reactor=reactor, name="uas", tls=pki.config()) as uas:
        cancel_exchange(uac, uas)
        wanted = "TLSv1.2" if version is ssl.TLSVersion.TLSv1_2 else "TLSv1.3"
        assert any(n.startswith("TLS established") and wanted in n for n in notes(uac))


def test_untrusted_ca_is_a_clear_event_on_both_sides(pki, reactor, notes) -> None:
    stranger = ThrowawayPki("a CA the client does not know")
    with SipPeer("tls", timers=T, reactor=reactor, name="uac", tls=pki.config()) as uac, \
            SipPeer("tls", timers=T, reactor=reactor, name="uas", tls=stranger.config()) as uas:
        invite = uac.invite(uas.address)
        uac.send(invite, to=uas.address)                 # queued: the handshake fails later, as an event
        with pytest.raises(NoMessage, match="certificate verify failed: unable to get local issuer certificate"):
            uac.expect_response(invite, within=T.b)
        assert uac.transport_failures == [
            f"TLS handshake as client with 127.0.0.1:{uas.address[1]} (server name '127.0.0.1') failed: "
            f"certificate verify failed: unable to get local issuer certificate"]
        assert uas.wait_until(lambda: bool(uas.transport_failures), T.b)
        assert "as server" in uas.transport_failures[0]
        assert "the remote does not trust our certificate" in uas.transport_failures[0]
        assert any("1 queued message(s) never sent" in n for n in notes(uac))
        sent = [r for r in uac.wire.records if r.direction == "out"]
        assert [r.note for r in sent] == ["queued until the handshake completes, never sent: the handshake failed"]
        assert b"INVITE" not in pcap_bytes(uac.wire.records)        # the evidence shows it never left
        assert not uas.received()                         # no SIP crossed


def test_self_signed_certificate_is_named(reactor, tmp_path) -> None:
    """A DUT presenting a self-signed certificate (here a CA's own): the reason says so."""
    import trustme

    ca = trustme.CA()
    both = tmp_path / "self-signed.pem"
    both.write_bytes(ca.private_key_pem.bytes() + ca.cert_pem.bytes())
    self_signed = TlsConfig(server=server_context(both))
    with SipPeer("tls", timers=T, reactor=reactor, name="uac", tls=ThrowawayPki().config()) as uac, \
            SipPeer("tls", timers=T, reactor=reactor, name="uas", tls=self_signed) as uas:
        uac.send(uac.request("OPTIONS", uas.address), to=uas.address)
        assert uac.wait_until(lambda: bool(uac.transport_failures), T.b)
        assert "certificate verify failed: self-signed certificate" in uac.transport_failures[0]


@pytest.mark.parametrize(("server_name", "expected"), [
    (None, "certificate verify failed: IP address mismatch, certificate is not valid for '127.0.0.1'"),
    ("other.example", "certificate verify failed: Hostname mismatch, certificate is not valid for 'other.example'"),
])
def test_name_mismatch_names_the_name(pki, reactor, server_name, expected) -> None:
    dut = pki.config(names=("dut.example",))
    with SipPeer("tls", timers=T, reactor=reactor, name="uac", tls=pki.config(server_name=server_name)) as uac, \
            SipPeer("tls", timers=T, reactor=reactor, name="uas", tls=dut) as uas:
        uac.send(uac.request("OPTIONS", uas.address), to=uas.address)
        assert uac.wait_until(lambda: bool(uac.transport_failures), T.b)
        assert expected in uac.transport_failures[0]
        shown = server_name or "127.0.0.1"
        assert f"(server name {shown!r})" in uac.transport_failures[0]


def test_server_name_is_sent_as_sni_and_checked(pki, reactor, cancel_exchange, notes) -> None:
    dut = pki.config(names=("dut.example",))
    with SipPeer("tls", timers=T, reactor=reactor, name="uac", tls=pki.config(server_name="dut.example")) as uac, \
            SipPeer("tls", timers=T, reactor=reactor, name="uas", tls=dut) as uas:
        cancel_exchange(uac, uas)
        assert any("as server" in n and "server name 'dut.example'" in n for n in notes(uas))


def test_verification_off_accepts_an_untrusted_server(pki, reactor, cancel_exchange, notes) -> None:
    stranger = ThrowawayPki("unknown")
    with SipPeer("tls", timers=T, reactor=reactor, name="uac", tls=pki.config(verify=False)) as uac, \
            SipPeer("tls", timers=T, reactor=reactor, name="uas", tls=stranger.config(names=("x.example",))) as uas:
        cancel_exchange(uac, uas)
        assert any("remote certificate: not verified" in n for n in notes(uac))
        assert not uac.transport_failures


def test_mutual_tls(pki, reactor, cancel_exchange, notes) -> None:
    client = pki.config(client_names=("peer.example",))
    server = pki.config(require_client_cert=True)
    with SipPeer("tls", timers=T, reactor=reactor, name="uac", tls=client) as uac, \
            SipPeer("tls", timers=T, reactor=reactor, name="uas", tls=server) as uas:
        cancel_exchange(uac, uas)
        assert any("as server" in n and "remote certificate: DNS:peer.example" in n for n in notes(uas))


def test_mutual_tls_without_a_client_certificate_fails_clearly(pki, reactor) -> None:
    server = pki.config(require_client_cert=True)
    with SipPeer("tls", timers=T, reactor=reactor, name="uac", tls=pki.config()) as uac, \
            SipPeer("tls", timers=T, reactor=reactor, name="uas", tls=server) as uas:
        invite = uac.invite(uas.address)
        uac.send(invite, to=uas.address)
        assert uas.wait_until(lambda: bool(uas.transport_failures), T.b)
        assert "as server" in uas.transport_failures[0]
        assert "the client presented no certificate, and mutual TLS requires one" in uas.transport_failures[0]
        assert uac.wait_until(lambda: bool(uac.transport_failures), T.b)  # TLS 1.3: the client learns after
        assert "requires a client certificate" in uac.transport_failures[0]
        assert not uas.received()


def test_session_keys_are_written_in_sslkeylogfile_format(pki, reactor, tmp_path, cancel_exchange) -> None:
    keylog = tmp_path / "keys" / "sslkeylog.txt"
    keylog.parent.mkdir()
    with SipPeer("tls", timers=T, reactor=reactor, name="uac", tls=pki.config(keylog=keylog)) as uac, \
            SipPeer("tls", timers=T, reactor=reactor, name="uas", tls=pki.config()) as uas:
        cancel_exchange(uac, uas)
    labels = {line.split()[0] for line in keylog.read_text().splitlines() if line and not line.startswith("#")}
    assert {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0"} <= labels    # TLS 1.3 labels


def test_a_peer_without_a_server_certificate_refuses_with_a_reason(pki, reactor) -> None:
    client_only = TlsConfig(client=pki.config().client)
    with SipPeer("tls", timers=T, reactor=reactor, name="uac", tls=pki.config()) as uac, \
            SipPeer("tls", timers=T, reactor=reactor, name="uas", tls=client_only) as uas:
        uac.send(uac.request("OPTIONS", uas.address), to=uas.address)
        assert uas.wait_until(lambda: bool(uas.transport_failures), T.b)
        assert "as server" in uas.transport_failures[0]
        assert "not attempted: this peer has no server certificate" in uas.transport_failures[0]
        assert uac.wait_until(lambda: bool(uac.transport_failures), T.b)


def test_tls_needs_a_config() -> None:
    with pytest.raises(ValueError, match="needs tls=TlsConfig"):
        SipPeer("tls", timers=T)
    with pytest.raises(ValueError, match="transport must be one of udp, tcp, tls, ws, wss"):
        SipPeer("sctp", timers=T)


@pytest.mark.parametrize("transport", ["tls", "ws", "wss"])
def test_a_silent_remote_fails_the_handshake_after_64_t1(pki, reactor, transport) -> None:
    """A remote that connects (or accepts) and never answers: a clear event after Timer B's window,
    never a hang (the transport's ``timeout`` is 64*T1)."""
    import socket

    tls = pki.config() if transport != "ws" else None
    with SipPeer(transport, timers=T, reactor=reactor, name="uas", tls=tls) as uas, \
            SipPeer(transport, timers=T, reactor=reactor, name="uac", tls=tls) as uac, \
            socket.create_connection(uas.address) as silent_client, \
            socket.create_server(("127.0.0.1", 0)) as silent_server:
        started = reactor.now()
        uac.send(uac.request("OPTIONS", silent_server.getsockname()), to=silent_server.getsockname())
        assert uas.wait_until(lambda: bool(uas.transport_failures) and bool(uac.transport_failures), 2 * T.b)
        assert reactor.now() - started >= T.b
        layer = "TLS handshake" if transport != "ws" else "WebSocket upgrade"
        for peer, side in ((uas, "server"), (uac, "client")):
            assert peer.transport_failures[0].startswith(f"{layer} as {side}")
            assert f"not completed within {T.b:.3g} s (no answer)" in peer.transport_failures[0]
        assert silent_client.fileno() >= 0
