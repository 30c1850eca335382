"""``--sip-t1`` reaches a reference DUT the suite starts: kamailio-uas runs the T1 the tests judge with.

The DUT is resolved once (command line > ini > profile) and started from that same profile, so
``--sip-dut kamailio-uas --sip-t1 0.5`` starts kamailio with ``-A T1_MS=500`` (its profile says 0.1 s) and
T2 = 4 s (the profile's 0.4 s lies below the new T1; RFC 3261 §17.1.2.2). Shown twice, in a pytest run of a
small module: kamailio's own command line, and its behaviour: a 486 it is not ACKed for is retransmitted at
Timer G, T1 then 2*T1 apart (§17.2.1).
"""

from __future__ import annotations

import re
import shutil

import pytest

if shutil.which("kamailio") is None:
    pytest.skip("kamailio is not installed (run scripts/setup.sh)", allow_module_level=True)

PROBE_MODULE = '''
import socket, time, uuid
from pathlib import Path

import pytest


def kamailio_argv(port):
    """The command line of the kamailio listening on ``port`` (its own, from /proc)."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\\0")
        except OSError:
            continue
        words = [w.decode() for w in argv if w]
        if words and words[0].endswith("kamailio") and f"udp:127.0.0.1:{port}" in words:
            return words
    return []


@pytest.mark.transport("udp")
def test_observe(dut, sip_timers):
    if ":" in dut.host:  # the IPv6 instance: the IPv4 one observes the same kamailio
        return
    argv = kamailio_argv(dut.port)
    defines = [argv[i + 1] for i, w in enumerate(argv[:-1]) if w == "-A" and "_MS=" in argv[i + 1]]  # the timers
    print("DEFINES " + " ".join(defines))
    print(f"TIMERS t1={sip_timers.t1:g} t2={sip_timers.t2:g} t4={sip_timers.t4:g}")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port, call_id = s.getsockname()[1], uuid.uuid4().hex
        invite = (f"INVITE sip:busy@127.0.0.1:{dut.port} SIP/2.0\\r\\n"
                  f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{uuid.uuid4().hex}\\r\\n"
                  f"Max-Forwards: 70\\r\\nFrom: <sip:t@127.0.0.1>;tag=a1\\r\\nTo: <sip:busy@127.0.0.1>\\r\\n"
                  f"Call-ID: {call_id}\\r\\nCSeq: 1 INVITE\\r\\nContact: <sip:t@127.0.0.1:{port}>\\r\\n"
                  f"Content-Length: 0\\r\\n\\r\\n")
        s.sendto(invite.encode(), (dut.host, dut.port))
        arrivals, deadline = [], time.monotonic() + 3.5 * sip_timers.t1 + 0.3
        while (left := deadline - time.monotonic()) > 0:
            s.settimeout(left)
            try:
                data = s.recv(65535)
            except socket.timeout:
                break
            if data.startswith(b"SIP/2.0 486"):
                arrivals.append(time.monotonic())
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    print("GAPS " + " ".join(f"{g:.3f}" for g in gaps))
'''


def _observe(pytester: pytest.Pytester, *args: str) -> dict[str, str]:
    pytester.makepyfile(test_probe=PROBE_MODULE)
    result = pytester.runpytest_subprocess("-s", "-p", "no:randomly", "-p", "no:cacheprovider",
                                           "--sip-dut", "kamailio-uas", *args)
    assert result.ret == 0, result.stdout.str()
    seen = {m.group(1): m.group(2) for line in result.stdout.lines
            if (m := re.search(r"\b(DEFINES|TIMERS|GAPS) (.*)$", line))}
    assert set(seen) == {"DEFINES", "TIMERS", "GAPS"}, result.stdout.str()
    return seen


def test_sip_t1_override_starts_kamailio_with_that_t1(pytester: pytest.Pytester) -> None:
    seen = _observe(pytester, "--sip-t1", "0.5")
    assert seen["TIMERS"] == "t1=0.5 t2=4 t4=5"
    assert seen["DEFINES"].split() == ["T1_MS=500", "T2_MS=4000", "FR_MS=32000", "FR_INV_MS=180000", "WT_MS=5000"]
    gaps = [float(g) for g in seen["GAPS"].split()]
    assert len(gaps) >= 2, f"kamailio retransmitted its 486 {len(gaps)} times in 2 s"
    assert 0.4 <= gaps[0] <= 0.75 and 0.85 <= gaps[1] <= 1.35, (
        f"the 486 retransmissions are {gaps} s apart: kamailio does not run T1 = 500 ms (Timer G: T1, 2*T1)")


def test_without_override_kamailio_runs_the_profiles_t1(pytester: pytest.Pytester) -> None:
    seen = _observe(pytester)
    assert seen["TIMERS"] == "t1=0.1 t2=0.4 t4=5"
    assert seen["DEFINES"].split() == ["T1_MS=100", "T2_MS=400", "FR_MS=6400", "FR_INV_MS=180000", "WT_MS=5000"]
    gaps = [float(g) for g in seen["GAPS"].split()]
    assert gaps and 0.05 <= gaps[0] <= 0.3, f"the 486 retransmissions are {gaps} s apart (T1 = 100 ms expected)"
