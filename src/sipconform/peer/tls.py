"""SIP over TLS (RFC 3261 §26.2, §18): the TCP transport with a TLS layer driven by the reactor.

The layer is sans-IO: an ``ssl.SSLObject`` between two ``ssl.MemoryBIO``, so the reactor feeds it the
bytes the socket read and writes out what it produced; no call blocks on the remote. TLS 1.2 and 1.3,
SNI, optional mutual TLS. The client verifies the server's certificate against ``server_name`` (default:
the host it connects to) unless verification is switched off. A failed handshake closes the
connection and becomes a ``ConnectionFailed`` event naming the side, the name and the reason; the
messages queued for it are counted as unsent. Session keys go to ``keylog`` (SSLKEYLOGFILE format).
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sipconform.peer.reactor import Reactor
from sipconform.peer.transport import Address, Connection, Sink, TcpTransport

__all__ = ["TlsConfig", "TlsConnection", "TlsTransport", "client_context", "server_context"]

_READ_SIZE = 65536
_SNI: dict[int, str] = {}  # id(SSLObject) -> the server name a client asked for (server side)

# What an OpenSSL reason code means for the person reading the run's one line.
_HINTS = {
    "TLSV1_ALERT_UNKNOWN_CA": "the remote does not trust our certificate (alert: unknown CA)",
    "SSLV3_ALERT_BAD_CERTIFICATE": "the remote rejected our certificate (alert: bad certificate)",
    "TLSV13_ALERT_CERTIFICATE_REQUIRED": "the server requires a client certificate (mutual TLS) and we sent none",
    "PEER_DID_NOT_RETURN_A_CERTIFICATE": "the client presented no certificate, and mutual TLS requires one",
    "WRONG_VERSION_NUMBER": "the remote does not speak TLS (or not a version we accept)",
    "UNSUPPORTED_PROTOCOL": "no TLS version in common",
    "TLSV1_ALERT_PROTOCOL_VERSION": "no TLS version in common (alert: protocol version)",
    "NO_SHARED_CIPHER": "no cipher in common",
    "SSLV3_ALERT_HANDSHAKE_FAILURE": "the remote aborted the handshake (alert: handshake failure)",
}


def _versions(ctx: ssl.SSLContext, minimum: ssl.TLSVersion, maximum: ssl.TLSVersion | None) -> None:
    ctx.minimum_version = minimum
    if maximum is not None:
        ctx.maximum_version = maximum


def client_context(*, verify: bool = True, cafile: str | Path | None = None, cadata: str | None = None,
                   certfile: str | Path | None = None, keyfile: str | Path | None = None,
                   keylog: str | Path | None = None, minimum: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
                   maximum: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    """The context for connections we open: trusts ``cafile``/``cadata`` (the system store if neither),
    checks the server's name (§26.3.1) unless ``verify`` is False, presents ``certfile`` if given."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    _versions(ctx, minimum, maximum)
    if verify:
        if cafile is None and cadata is None:
            ctx.load_default_certs()
        else:
            ctx.load_verify_locations(cafile=cafile, cadata=cadata)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if certfile is not None:
        ctx.load_cert_chain(certfile, keyfile)
    if keylog is not None:
        ctx.keylog_filename = str(keylog)
    return ctx


def server_context(certfile: str | Path, keyfile: str | Path | None = None, *, client_cafile: str | Path | None = None,
                   client_cadata: str | None = None, require_client_cert: bool = False,
                   keylog: str | Path | None = None, minimum: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
                   maximum: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    """The context for connections we accept: presents ``certfile``; with ``require_client_cert``
    (mutual TLS) the client must present one that ``client_cafile``/``client_cadata`` signed."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    _versions(ctx, minimum, maximum)
    ctx.load_cert_chain(certfile, keyfile)
    if client_cafile is not None or client_cadata is not None:
        ctx.load_verify_locations(cafile=client_cafile, cadata=client_cadata)
        ctx.verify_mode = ssl.CERT_REQUIRED if require_client_cert else ssl.CERT_OPTIONAL
    if keylog is not None:
        ctx.keylog_filename = str(keylog)
    return ctx


def _remember_sni(obj: ssl.SSLSocket | ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
    if name is not None:
        _SNI[id(obj)] = name


@dataclass(frozen=True)
class TlsConfig:
    """What a TLS peer trusts and presents: ``client`` for the connections it opens, ``server`` for the
    ones it accepts (None: it refuses them), ``server_name`` for SNI and the certificate check (default:
    the host it connects to). ``certs.ThrowawayPki.config()`` makes one from a run-time CA."""

    client: ssl.SSLContext | None = None
    server: ssl.SSLContext | None = None
    server_name: str | None = None

    @property
    def verifies(self) -> bool:
        return self.client is not None and self.client.verify_mode != ssl.CERT_NONE

    @classmethod
    def from_files(cls, *, ca: str | Path | None = None, cert: str | Path | None = None,
                   key: str | Path | None = None, verify: bool = True, require_client_cert: bool = False,
                   server_name: str | None = None, keylog: str | Path | None = None) -> TlsConfig:
        """From a lab's PEM files (a profile's ``[tls]`` table): trust ``ca`` (the system store if None),
        present ``cert``/``key`` as server and, when given, as client (mutual TLS); without ``cert`` the
        peer only opens connections."""
        client = client_context(verify=verify, cafile=ca if verify else None, certfile=cert, keyfile=key,
                                keylog=keylog)
        server = None if cert is None else server_context(cert, key, client_cafile=ca if require_client_cert else None,
                                                          require_client_cert=require_client_cert, keylog=keylog)
        return cls(client=client, server=server, server_name=server_name)


def _certificate_names(cert: Any) -> str:
    if not cert:
        return "not verified"
    names = cert.get("subjectAltName") or ()
    return ", ".join(f"{kind}:{value}" for kind, value in names) or "no subjectAltName"


class TlsConnection(Connection):
    """A TCP connection with a TLS layer (``configure_tls`` before ``start``)."""

    tls: ssl.SSLObject | None = None
    server_name: str | None = None

    def configure_tls(self, config: TlsConfig) -> None:
        self.incoming, self.outgoing_bio = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls_open = False
        self.plain_out: list[bytes] = []  # plaintext written before the handshake ended (a WebSocket upgrade)
        self.handshakes += 1
        if self.outgoing and config.client is not None:
            self.server_name = config.server_name or self.remote[0]
            self.tls = config.client.wrap_bio(self.incoming, self.outgoing_bio, server_side=False,
                                              server_hostname=self.server_name)
        elif not self.outgoing and config.server is not None:
            if config.server.sni_callback is None:
                config.server.sni_callback = _remember_sni
            self.tls = config.server.wrap_bio(self.incoming, self.outgoing_bio, server_side=True)

    @property
    def side(self) -> str:
        return "client" if self.outgoing else "server"

    def start(self) -> None:
        super().start()
        if self.tls is None:
            role = "client context (to open connections)" if self.outgoing else "server certificate"
            self.fail(f"TLS handshake {self.describe()} not attempted: this peer has no {role}")
            return
        self._handshake()

    def unfinished(self) -> str | None:
        return super().unfinished() or (None if self.tls_open else f"TLS handshake {self.describe()}")

    def describe(self) -> str:
        """"as client with 127.0.0.1:5061 (server name 'dut.example')": who did what with whom."""
        host, port = self.remote
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        name = f"server name {self.server_name!r}" if self.server_name else "no server name (SNI) offered"
        return f"as {self.side} with {where} ({name})"

    # -- handshake -------------------------------------------------------------------------------------------
    def _flush(self) -> None:
        data = self.outgoing_bio.read()
        if data:
            self.send_raw(data)

    def _handshake(self) -> None:
        assert self.tls is not None
        try:
            self.tls.do_handshake()
        except ssl.SSLWantReadError:
            self._flush()
            return
        except ssl.SSLError as exc:
            _SNI.pop(id(self.tls), None)
            try:
                self._flush()  # the alert, so the remote learns why
            except OSError:
                pass
            self.fail(f"TLS handshake {self.describe()} failed: {_reason(exc)}")
            return
        self._flush()
        self.tls_open = True
        if not self.outgoing:
            self.server_name = _SNI.pop(id(self.tls), None)
        cipher = self.tls.cipher()
        detail = (f"TLS established {self.describe()}: {self.tls.version()} {cipher[0] if cipher else '?'}; "
                  f"remote certificate: {_certificate_names(self.tls.getpeercert())}")
        pending, self.plain_out = self.plain_out, []
        for data in pending:
            self._write(data)
        self.handshake_done(detail)

    # -- bytes ----------------------------------------------------------------------------------------------
    def send_plain(self, data: bytes) -> None:
        if not self.tls_open:
            self.plain_out.append(data)
            return
        self._write(data)

    def _write(self, data: bytes) -> None:
        assert self.tls is not None
        try:
            self.tls.write(data)
        except ssl.SSLError as exc:
            raise ConnectionError(f"TLS write failed: {_reason(exc)}") from None
        self._flush()

    def feed_raw(self, data: bytes) -> None:
        self.incoming.write(data)
        if not self.tls_open:
            self._handshake()
            if not self.tls_open:
                return
        assert self.tls is not None
        chunks: list[bytes] = []
        while True:
            try:
                chunk = self.tls.read(_READ_SIZE)
            except ssl.SSLWantReadError:
                break
            except ssl.SSLZeroReturnError:  # close_notify
                if chunks:
                    self.feed_plain(b"".join(chunks))
                self.closed_by_remote()
                return
            except ssl.SSLError as exc:
                self.fail(f"TLS error {self.describe()}: {_reason(exc)}")
                return
            if not chunk:
                break
            chunks.append(chunk)
        self._flush()  # TLS 1.3 tickets, key updates
        if chunks:
            self.feed_plain(b"".join(chunks))

    def close(self) -> None:
        if self.open and self.tls_open and self.tls is not None:
            try:
                self.tls.unwrap()
            except (ssl.SSLError, ValueError):
                pass  # SSLWantReadError: our close_notify is written; we do not wait for theirs
            try:
                self._flush()
            except OSError:
                pass
        super().close()


def _reason(exc: ssl.SSLError) -> str:
    """"certificate verify failed: self-signed certificate", "the remote does not trust our certificate"..."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {exc.verify_message}"
    code = getattr(exc, "reason", None) or ""
    hint = _HINTS.get(code)
    text = code.lower().replace("_", " ") if code else str(exc)
    return f"{hint} [{text}]" if hint else text


class TlsTransport(TcpTransport):
    """A TLS listener on ``host``:0 plus outgoing TLS connections, one per remote address, reused."""

    name = "tls"

    def __init__(self, host: str, reactor: Reactor, sink: Sink, *, max_size: int, timeout: float,
                 tls: TlsConfig) -> None:
        self.tls = tls
        super().__init__(host, reactor, sink, max_size=max_size, timeout=timeout)

    def new_connection(self, sock: socket.socket, remote: Address, *, outgoing: bool) -> Connection:
        conn = TlsConnection(sock, remote, self, outgoing=outgoing, max_size=self.max_size)
        conn.configure_tls(self.tls)
        return conn
