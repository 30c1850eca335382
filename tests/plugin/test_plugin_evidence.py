"""Evidence of what the DUT did, in the verdict: a stream it closed, bytes that never formed a message, a
malformed response before a valid one; a legal 70 KiB stream response is read; input over the suite's own
limit is an ``error``, never the DUT's fail. A second peer of the test plays the DUT, raw bytes and all."""

from __future__ import annotations

import json

import hypothesis  # noqa: F401  (kept in sys.modules, so in-process pytester runs do not re-import it)
import pytest

PROFILE = 'name = "fake"\nrole = "uas"\nhost = "127.0.0.1"\nport = 5999\ntransports = ["udp", "tcp"]\n'

# Each test: the suite's peer "uac" sends OPTIONS to the peer "fake" (the DUT), which then does ACTION.
TEMPLATE = """
import pytest

@pytest.mark.clause("RFC3261-9.2-10")
@pytest.mark.transport("{transport}")
def test_it(dut, sip_peer_factory):
    with sip_peer_factory(name="uac", **{kwargs}) as uac, sip_peer_factory(name="fake") as fake:
        req = uac.request("OPTIONS", fake.address)
        uac.send(req, to=fake.address)
        got = fake.expect_request("OPTIONS")
        back = fake.source_of(got)
        {action}
        uac.expect_response(req, final=True, within=1.0)
"""
PAD = 'headers=(("X-Pad", "x" * 70 * 1024),)'
MISSING_VIA = b'b"SIP/2.0 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n"'


def _verdict(pytester: pytest.Pytester, action: str, transport: str = "tcp", kwargs: str = "{}"
             ) -> dict[str, str]:
    pytester.path.joinpath("fake.toml").write_text(PROFILE)
    pytester.makepyfile(test_it=TEMPLATE.format(transport=transport, kwargs=kwargs, action=action))
    pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe", "--sip-results", "out.json")
    [result] = json.loads(pytester.path.joinpath("out.json").read_text())["results"]
    return dict(result)


def test_a_legal_70_kib_response_over_tcp_is_read(pytester: pytest.Pytester) -> None:
    result = _verdict(pytester, f"fake.respond(got, 200, {PAD})")
    assert result["verdict"] == "pass", result["message"]


def test_input_over_the_suite_limit_is_an_error_not_a_fail(pytester: pytest.Pytester) -> None:
    result = _verdict(pytester, f"fake.respond(got, 200, {PAD})", kwargs='{"max_size": 65536}')
    assert result["verdict"] == "error"
    assert "larger than the suite's limit" in result["message"]
    assert "exceeds the limit of 65536 bytes" in result["message"]
    assert "it would have said fail" in result["message"]


def test_the_verdict_says_the_dut_closed_the_connection(pytester: pytest.Pytester) -> None:
    result = _verdict(pytester, "fake.respond(got, 100); fake.close_connections()")
    assert result["verdict"] == "fail"
    assert "The DUT closed the connection at +" in result["message"]


def test_the_verdict_counts_bytes_that_never_formed_a_message(pytester: pytest.Pytester) -> None:
    result = _verdict(pytester, 'fake.send(b"SIP/2.0 200 OK\\r\\nVia: x" + b"y" * 278, to=back)')
    assert result["verdict"] == "fail"
    assert "300 bytes received that never formed a message" in result["message"]
    trace = list(pytester.path.rglob("evidence/*.txt"))
    assert trace and any("300 bytes received that never formed a message" in p.read_text() for p in trace)


def test_a_malformed_response_before_a_valid_one_is_named(pytester: pytest.Pytester) -> None:
    result = _verdict(pytester, f"fake.send({MISSING_VIA.decode()}, to=back); fake.respond(got, 200)",
                      transport="udp")
    assert result["verdict"] == "pass"
    assert result["message"].startswith("Malformed input from the DUT: unparseable:")
    assert "via" in result["message"].lower()
