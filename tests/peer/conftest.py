"""Fixtures of the peer-against-peer tests over TLS and WebSocket: one throwaway CA per module, a
shared reactor, and the CANCEL exchange every transport must carry."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from sipconform.peer import Reactor, SipPeer
from sipconform.peer.certs import ThrowawayPki
from sipconform.sip.matching import cancel_matches


@pytest.fixture(scope="module")
def pki() -> ThrowawayPki:
    return ThrowawayPki()


@pytest.fixture
def reactor() -> Iterator[Reactor]:
    r = Reactor()
    yield r
    r.close()


def _cancel_exchange(uac: SipPeer, uas: SipPeer) -> None:
    """INVITE / 180 / CANCEL / 200 / 487 / ACK, every message on the connection the INVITE opened."""
    invite = uac.invite(uas.address)
    uac.send(invite, to=uas.address)
    incoming = uas.expect_request("INVITE")
    uas.respond(incoming, 180)
    uac.expect_response(invite, status=180)
    cancel = uac.cancel(invite)
    got = uas.expect_request("CANCEL")
    assert cancel_matches(incoming, got)
    uas.respond(got, 200)
    uas.respond(incoming, 487)
    uac.expect_response(cancel, status=200)
    final = uac.expect_response(invite, status=487)
    assert uas.expect_request("ACK").to.tag == final.to.tag
    for peer in (uac, uas):
        assert len({r.connection for r in peer.wire.records if r.direction != "note"}) == 1
    uac.check()
    uas.check()


@pytest.fixture
def cancel_exchange() -> Callable[[SipPeer, SipPeer], None]:
    return _cancel_exchange


@pytest.fixture
def notes() -> Callable[[SipPeer], list[str]]:
    """The transport notes of a peer's wire log (connection accepted, TLS established, failures...)."""
    return lambda peer: [r.note for r in peer.wire.records if r.direction == "note"]
