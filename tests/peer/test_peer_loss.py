"""Emulated datagram loss (``peer.loss``): a seeded share of UDP datagrams is dropped each way, the same
ones for the same seed and test label; no loss installed, none dropped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sipconform.peer import SipPeer, loss
from sipconform.sip.timers import Timers

T = Timers(t1=0.05)
DATAGRAM = (b"OPTIONS sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKloss%d\r\n"
            b"From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: loss-%d\r\n"
            b"CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")


@pytest.fixture
def lossy() -> Iterator[loss.Loss]:
    model = loss.Loss(0.3, seed=7)
    loss.install(model)
    yield model
    loss.install(None)


def _received(count: int) -> int:
    with SipPeer("udp", timers=T, name="a") as a, SipPeer("udp", timers=T, name="b", reactor=a.reactor) as b:
        for n in range(count):
            a.send(DATAGRAM % (n, n), to=b.address)
        a.reactor.run_for(4 * T.t1)
        return len(b.received())


def test_a_seeded_share_is_dropped_each_way_and_reproducibly(lossy: loss.Loss) -> None:
    lossy.start("test-a")
    got = _received(200)
    first = dict(lossy.dropped)
    assert lossy.seen["out"] == 200 and lossy.seen["in"] == 200 - first["out"]
    assert got == 200 - first["out"] - first["in"]
    assert 0.2 < (first["out"] + first["in"]) / (lossy.seen["out"] + lossy.seen["in"]) < 0.4
    lossy.start("test-a")
    assert _received(200) == got and lossy.dropped == first  # the same test label: the same datagrams
    assert "datagrams sent" in lossy.summary() and "seed 7" in lossy.summary()


def test_no_loss_installed_drops_nothing() -> None:
    assert loss.active() is None
    assert _received(50) == 50
