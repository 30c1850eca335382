"""What a peer needs to reach a DUT over TLS and WebSocket: the profile's ``[tls]`` and ``[ws]`` tables as the
peer's ``TlsConfig`` and ``WsConfig`` (RFC 3261 §26.2, §26.3.1; RFC 7118 §5).

Verification is on unless the profile says ``verify = false``. The peers' own certificate (what they present
as TLS servers, e.g. a proxy test's downstream UAS) is the profile's ``cert``/``key``; without one, a leaf of
this process's throwaway CA (``ThrowawayPki``: a DUT that verifies its peers then refuses it, as it should).
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from sipconform.dut.profile import DutProfile, TlsSpec
from sipconform.peer.certs import ThrowawayPki
from sipconform.peer.tls import TlsConfig
from sipconform.peer.websocket import WsConfig

__all__ = ["peer_options", "tls_config", "ws_config"]


@cache
def _own_pki() -> ThrowawayPki:
    return ThrowawayPki("sipconform peers' throwaway CA")


@lru_cache(maxsize=64)
def tls_config(spec: TlsSpec | None, keylog: str | None = None) -> TlsConfig:
    """The peers' ``TlsConfig`` for a DUT with ``[tls]`` ``spec`` (None: trust the system store), made once."""
    spec = spec or TlsSpec()
    config = TlsConfig.from_files(ca=spec.ca, cert=spec.cert, key=spec.key, verify=spec.verify,
                                  require_client_cert=spec.require_client_cert, server_name=spec.server_name,
                                  keylog=keylog)
    if config.server is None:
        config = TlsConfig(client=config.client, server=_own_pki().config(keylog=keylog).server,
                           server_name=config.server_name)
    return config


def ws_config(dut: DutProfile) -> WsConfig:
    """The WebSocket upgrade the peers send: the profile's ``[ws] path``, the ``sip`` subprotocol."""
    return WsConfig(path=dut.ws_path)


def peer_options(dut: DutProfile, transport: str, keylog: str | Path | None = None) -> dict[str, Any]:
    """The ``SipPeer`` keyword arguments (``tls=``, ``ws=``) for ``transport`` towards ``dut``."""
    options: dict[str, Any] = {}
    if keylog is not None and transport in ("tls", "wss"):
        Path(keylog).parent.mkdir(parents=True, exist_ok=True)
    if transport in ("tls", "wss"):
        options["tls"] = tls_config(dut.tls, None if keylog is None else str(keylog))
    if transport in ("ws", "wss"):
        options["ws"] = ws_config(dut)
    return options
