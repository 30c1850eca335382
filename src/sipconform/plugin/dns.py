"""The ``sip_dns`` fixture: the suite as the DUT's DNS server, for the RFC 3263 tests.

The profile's ``[dns] server = "HOST:PORT"`` says where the DUT sends its DNS queries (a lab points its
device there; the reference DUTs are started so). Each test that asks for ``sip_dns`` serves DNS on that
address for its own duration, under a domain of its own, and gets a ``Zone`` to publish records in.
Several pytest processes (xdist workers) that share one such address take turns: an exclusive lock
file per address (``plugin.dnslock``), waited for up to ``LOCK_WAIT_S``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from sipconform.dut.capabilities import ruled_out_by
from sipconform.dut.profile import DutProfile
from sipconform.peer.dns import Zone, ZoneServer
from sipconform.plugin.dnslock import address_lock
from sipconform.plugin.peers import PeerFactory
from sipconform.verdict import inconclusive, not_applicable

__all__ = ["LOCK_WAIT_S", "TEST_DOMAIN", "serving", "sip_dns"]

TEST_DOMAIN = "sipconform.test"
"""Every test's zone is ``<random>-<test id>.sipconform.test`` (RFC 6761: .test is for testing). A fresh
name per test and run: a DUT's DNS cache never answers with another test's records."""
LOCK_WAIT_S = 300.0


@contextmanager
def serving(dut: DutProfile, label: str) -> Iterator[Zone]:
    """Serve DNS where ``dut`` resolves, under the fresh domain ``<random>-<label>.sipconform.test``.
    Not applicable when the profile says the DUT does no RFC 3263 resolution (``[capabilities] rfc3263 =
    false``); inconclusive when it names no ``[dns] server`` (the suite cannot steer the DUT's lookups)."""
    if (why := ruled_out_by(dut.capabilities, "rfc3263")) is not None:
        not_applicable(why)
    if dut.dns_server is None:
        inconclusive("the profile names no [dns] server: the DUT cannot be pointed at the suite's DNS server, so "
                     "the suite cannot choose where its DNS lookups (RFC 3263) lead")
    host, port = dut.dns_server
    with address_lock(host, port, LOCK_WAIT_S):
        try:
            server = ZoneServer(host, port)
        except OSError as exc:
            raise RuntimeError(f"cannot serve DNS on {host}:{port} (the profile's [dns] server): {exc}") from None
        with server:
            yield Zone(server, f"{secrets.token_hex(3)}-{label}.{TEST_DOMAIN}".lower())


@pytest.fixture
def sip_dns(request: pytest.FixtureRequest, dut: DutProfile, sip_peer_factory: PeerFactory) -> Iterator[Zone]:
    """The suite serving DNS at the profile's ``[dns] server`` for this test: a ``Zone`` (its ``origin`` is
    the test's own domain) to publish SRV/NAPTR/A records in (see ``sipconform.flows.locating``).
    The queries the DUT made go into the report ("DNS queries")."""
    with serving(dut, sip_peer_factory.prefix) as zone:
        try:
            yield zone
        finally:
            request.node.add_report_section("teardown", "DNS queries", "\n".join(
                f"{q.time:.3f} {q}" for q in zone.server.queries) or "(none)")
