"""Throwaway certificates made at run time (``trustme``): a CA, and leaf certificates for the peers and
for reference DUTs. No key is ever committed; they live in memory, or in a temporary directory when a
program outside the process (kamailio, baresip) needs PEM files.

    pki = ThrowawayPki()
    server = pki.config(names=("dut.example", "127.0.0.1", "::1"))   # presents a certificate, trusts the CA
    client = pki.config(client_names=("peer.example",))               # mutual TLS: presents one too
    files = pki.write(tmp_path / "tls", "dut.example", "127.0.0.1")  # ca.pem, cert.pem, key.pem
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import trustme

from sipconform.peer.tls import TlsConfig, client_context, server_context

__all__ = ["DEFAULT_NAMES", "PemFiles", "ThrowawayPki"]

DEFAULT_NAMES = ("localhost", "127.0.0.1", "::1")
"""The names a loopback peer's certificate carries (DNS and IP subjectAltNames)."""


@dataclass(frozen=True)
class PemFiles:
    """PEM files for one identity: the CA that signed it, its certificate chain, its private key."""

    ca: Path
    cert: Path
    key: Path


class ThrowawayPki:
    """A certificate authority that exists for one run, and the leaf certificates it issues."""

    def __init__(self, organization: str = "sipconform throwaway CA") -> None:
        self.ca = trustme.CA(organization_name=organization)
        self._leaves: dict[tuple[str, ...], trustme.LeafCert] = {}

    @property
    def ca_pem(self) -> str:
        return self.ca.cert_pem.bytes().decode("ascii")

    def leaf(self, *names: str) -> trustme.LeafCert:
        """The certificate for ``names`` (subjectAltNames; IP addresses become IP entries), made once."""
        key = tuple(names or DEFAULT_NAMES)
        if key not in self._leaves:
            self._leaves[key] = self.ca.issue_cert(*key)
        return self._leaves[key]

    def config(self, *, names: Iterable[str] = DEFAULT_NAMES, client_names: Iterable[str] | None = None,
               require_client_cert: bool = False, verify: bool = True, server_name: str | None = None,
               keylog: str | Path | None = None, minimum: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
               maximum: ssl.TLSVersion | None = None) -> TlsConfig:
        """A ``TlsConfig`` trusting this CA: as server it presents a certificate for ``names`` (and with
        ``require_client_cert`` demands one signed by the CA); as client it verifies the server against
        ``server_name`` (default: the host it connects to) unless ``verify`` is False, and presents a
        certificate for ``client_names`` if given. ``keylog``: where the session keys are appended."""
        client = client_context(verify=verify, cadata=self.ca_pem if verify else None, keylog=keylog,
                                minimum=minimum, maximum=maximum)
        if client_names is not None:
            self.leaf(*client_names).configure_cert(client)
        server = server_context_for(self.leaf(*names), client_cadata=self.ca_pem if require_client_cert else None,
                                    require_client_cert=require_client_cert, keylog=keylog, minimum=minimum,
                                    maximum=maximum)
        return TlsConfig(client=client, server=server, server_name=server_name)

    def write(self, directory: str | Path, *names: str) -> PemFiles:
        """Write the CA certificate, the chain and the key for ``names`` as PEM files in ``directory``
        (made if missing; the key readable by its owner only), for a DUT configured from files."""
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        leaf = self.leaf(*names)
        files = PemFiles(folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
        self.ca.cert_pem.write_to_path(str(files.ca))
        files.cert.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
        files.key.touch(mode=0o600)
        leaf.private_key_pem.write_to_path(str(files.key))
        return files


def server_context_for(leaf: trustme.LeafCert, *, client_cadata: str | None, require_client_cert: bool,
                       keylog: str | Path | None, minimum: ssl.TLSVersion,
                       maximum: ssl.TLSVersion | None) -> ssl.SSLContext:
    """A server context presenting ``leaf`` (loaded through a temporary file, deleted at once)."""
    with leaf.private_key_and_cert_chain_pem.tempfile() as both:
        return server_context(both, client_cadata=client_cadata, require_client_cert=require_client_cert,
                              keylog=keylog, minimum=minimum, maximum=maximum)
