"""Evidence of a TLS / WebSocket exchange (issue 16 item 7): the pcap holds the plaintext SIP, so tshark
shows the methods at once, even on ports tshark would decode as TLS or HTTP; the ladder names the
transport and IP version; throwaway certificates are written as PEM files for a DUT."""

from __future__ import annotations

import shutil
import ssl
import stat
import subprocess
from dataclasses import replace

import pytest

from sipconform.peer import SipPeer, merge
from sipconform.peer.tls import TlsConfig
from sipconform.report.ladder import ladder_svg
from sipconform.report.pcap import write_pcap
from sipconform.sip.timers import Timers

T = Timers(t1=0.02, t2=0.08, t4=0.1)
needs_tshark = pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed (apt-get install "
                                  "tshark; scripts/setup.sh installs it): the pcap cannot be decoded here")


def tshark_sip(path) -> list[str]:
    proc = subprocess.run(["tshark", "-n", "-r", str(path), "-Y", "sip", "-T", "fields", "-e", "sip.Request-Line",
                           "-e", "sip.Status-Line"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [line.strip() for line in proc.stdout.splitlines() if line.strip()]


def exchange_records(transport, host, pki, reactor, cancel_exchange):
    tls = pki.config() if transport in ("tls", "wss") else None
    with SipPeer(transport, timers=T, reactor=reactor, host=host, name="uac", tls=tls) as uac, \
            SipPeer(transport, timers=T, reactor=reactor, host=host, name="uas", tls=tls) as uas:
        cancel_exchange(uac, uas)
        return merge(uac.wire, uas.wire)


def sent_lines(records) -> list[str]:
    return [r.message.start_line for r in records if r.direction == "out" and r.message is not None]


@needs_tshark
@pytest.mark.parametrize(("transport", "host"), [("tls", "127.0.0.1"), ("tls", "::1"), ("wss", "127.0.0.1"),
                                                 ("ws", "::1")])
def test_tshark_shows_the_plaintext_sip(tmp_path, pki, reactor, cancel_exchange, transport, host) -> None:
    records = exchange_records(transport, host, pki, reactor, cancel_exchange)
    lines = tshark_sip(write_pcap(tmp_path / f"{transport}.pcap", records))
    assert lines == sent_lines(records)
    assert [line.split()[0] for line in lines if not line.startswith("SIP/")] == ["INVITE", "CANCEL", "ACK"]


@needs_tshark
@pytest.mark.parametrize(("transport", "port"), [("tls", 5061), ("wss", 443), ("ws", 8080), ("ws", 80)])
def test_well_known_ports_still_show_sip(tmp_path, pki, reactor, cancel_exchange, transport, port) -> None:
    """tshark decodes TCP 80 and 8080 as HTTP: the plaintext is written on 5060 there (the wire log keeps
    the real port); on its TLS ports it falls back to the SIP heuristics by itself."""
    records = exchange_records(transport, "127.0.0.1", pki, reactor, cancel_exchange)
    server = next(r.remote for r in records if r.peer == "uac" and r.direction == "out")

    def moved(addr):
        return (addr[0], port) if addr == server else addr
    records = [replace(r, local=moved(r.local), remote=moved(r.remote) if r.remote else None) for r in records]
    assert tshark_sip(write_pcap(tmp_path / f"{transport}{port}.pcap", records)) == sent_lines(records)


def test_ladder_names_transport_and_ip_version(pki, reactor, cancel_exchange) -> None:
    svg = ladder_svg(exchange_records("wss", "::1", pki, reactor, cancel_exchange), title="t::wss")
    assert "WSS over IPv6" in svg


def test_pem_files_for_a_dut(pki, tmp_path, reactor, cancel_exchange) -> None:
    """The files a DUT is configured from (and a lab's own files) work through the same contexts."""
    files = pki.write(tmp_path / "tls", "dut.example", "127.0.0.1")
    assert stat.S_IMODE(files.key.stat().st_mode) == 0o600
    subject = ssl.create_default_context(cafile=str(files.ca)).get_ca_certs()[0]["subject"]
    assert subject[0] == (("organizationName", "sipconform throwaway CA"),)
    client_files = pki.write(tmp_path / "client", "lab.example")
    dut = TlsConfig.from_files(ca=files.ca, cert=files.cert, key=files.key, require_client_cert=True)
    lab = TlsConfig.from_files(ca=client_files.ca, cert=client_files.cert, key=client_files.key,
                               server_name="dut.example")
    assert lab.verifies and dut.server is not None and dut.server.verify_mode == ssl.CERT_REQUIRED
    with SipPeer("tls", timers=T, reactor=reactor, name="uac", tls=lab) as uac, \
            SipPeer("tls", timers=T, reactor=reactor, name="uas", tls=dut) as uas:
        cancel_exchange(uac, uas)
        assert any("remote certificate: DNS:lab.example" in r.note for r in uas.wire.records)
    unverified = TlsConfig.from_files(verify=False)
    assert not unverified.verifies and unverified.server is None
