"""A Hypothesis example that failed once and passed on replay is inconclusive, saying so and showing that
example's messages; never an error with a dump of the fixture reprs."""

from __future__ import annotations

import json

import hypothesis  # noqa: F401  (kept in sys.modules, so in-process pytester runs do not re-import it)
import pytest

PROFILE = 'name = "fake"\nrole = "uas"\nhost = "127.0.0.1"\nport = 5999\ntransports = ["udp"]\n'

FLAKY = """
import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from sipconform.peer import NoMessage

OPTIONS = (b"OPTIONS sip:b@127.0.0.1 SIP/2.0\\r\\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx{n}\\r\\n"
           b"From: <sip:a@127.0.0.1>;tag=1\\r\\nTo: <sip:b@127.0.0.1>\\r\\nCall-ID: flaky-{n}\\r\\n"
           b"CSeq: 1 OPTIONS\\r\\nMax-Forwards: 70\\r\\nContent-Length: 0\\r\\n\\r\\n")
RUNS = []

@pytest.mark.clause("RFC3261-9.2-10")
@settings(max_examples=3, deadline=None, database=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(0, 9))
def test_property(dut, sip_peer_factory, n):
    with sip_peer_factory() as peer:
        peer.send(OPTIONS.replace(b"{n}", str(len(RUNS)).encode()), to=peer.address)
        peer.expect_request("OPTIONS")
        RUNS.append(n)
        if len(RUNS) == 1:  # the first run only: its replay passes
            raise NoMessage(f"{peer.name}: expected a response to INVITE within 6.4 s; got nothing")
"""


def test_a_flaky_example_is_inconclusive_with_its_messages(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("fake.toml").write_text(PROFILE)
    pytester.makepyfile(test_flaky=FLAKY)
    result = pytester.runpytest("--sip-dut", "fake.toml", "--no-sip-probe", "--sip-results", "out.json")
    [entry] = json.loads(pytester.path.joinpath("out.json").read_text())["results"]
    assert entry["verdict"] == "inconclusive", entry["message"]
    message = entry["message"]
    assert message.startswith("one Hypothesis example failed once and passed when replayed")
    assert "expected a response to INVITE within 6.4 s; got nothing" in message
    assert "That example's messages:" in message and "peer -> OPTIONS sip:b@127.0.0.1 SIP/2.0" in message
    assert "PeerFactory object" not in message and "DutProfile(" not in message
    assert result.ret == pytest.ExitCode.OK
