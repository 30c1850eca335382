"""The reference DUTs, for real: start, probe, stop (no orphans), failure paths, CANCEL smoke.

Wire behaviour seen while writing these (kamailio 5.6.3, baresip 1.0.0, Debian 12):
- kamailio-uas (tm, t_relay() of the CANCEL on a transaction held by t_suspend()): answers
  "487 Request canceled" then "200 ok -- no more pending branches" to the CANCEL, both with
  the 180's To tag; over UDP the 487 is retransmitted at T1, 2*T1 ... until the ACK or fr_timer
  (without t_suspend() tm released the transaction after the 180, logged "script writer didn't
  release transaction", and never retransmitted the 487). For the conformance suite to judge.
- kamailio-uas sends no 100 Trying before its 180 (fine: §17.2.1 only asks for a 100 when
  the TU will not answer within 200 ms).
- baresip-uas: no 100 Trying, 180 with a To tag, 200 to CANCEL then 487 (retransmitted at
  0.5, 1, 2 s: T1 = 500 ms) -- as RFC 3261 §9.2/§17.2.1 say.
- baresip-uac: its CANCEL copies Request-URI, Call-ID, From, To (no tag), CSeq number and
  the single Via branch of the INVITE (§9.1); it ACKs the 487 with our To tag and the
  INVITE's branch (§17.1.1.3) -- over UDP and TCP.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sipconform.dut.baresip_ctrl import BaresipControl
from sipconform.dut.probe import probe
from sipconform.dut.process import group_members, wait_pids_gone
from sipconform.dut.profile import ProfileError
from sipconform.dut.secure import peer_options
from sipconform.dut.reference import ReferenceDutError, RunningDut, start_reference
from sipconform.dut.registry import reference_duts, reference_profile

REFERENCE_DUTS = reference_duts()[0]

HAVE = {p: shutil.which(p) is not None for p in ("kamailio", "baresip")}
if not any(HAVE.values()):
    pytest.skip("neither kamailio nor baresip is installed (run scripts/setup.sh)", allow_module_level=True)


def needs(name: str) -> pytest.MarkDecorator:
    ref = REFERENCE_DUTS[name].reference if name in REFERENCE_DUTS else None
    program = ref.program if ref is not None else name
    return pytest.mark.skipif(not HAVE[program], reason=f"'{program}' not installed (run scripts/setup.sh)")


ALL = [pytest.param(n, marks=needs(n)) for n in REFERENCE_DUTS]
ROLES = {"kamailio-uas": "uas", "kamailio-proxy": "proxy", "kamailio-stateless-proxy": "stateless-proxy",
         "baresip-uas": "uas", "baresip-uac": "uac"}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _assert_gone(pids: list[int], pgid: int) -> None:
    assert wait_pids_gone(pids, 5.0), f"still alive: {[p for p in pids if _alive(p)]}"
    assert not [p for p in pids if _alive(p)]
    assert group_members(pgid) == [], f"processes left in group {pgid}"
    # ps lists zombies too: a DUT orphaned by SIGKILL is reparented to PID 1, which may be slow to reap
    ps = subprocess.run(["ps", "-o", "pid=,stat=", "-g", str(pgid)], capture_output=True, text=True, check=False)
    live = [line for line in ps.stdout.splitlines() if not line.split()[1].startswith("Z")]
    assert live == [], f"ps still lists live processes of session {pgid}: {live}"


# ---- lifecycle ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_start_probe_stop(name: str, tmp_path: Path) -> None:
    dut = start_reference(reference_profile(name), tmp_path)
    try:
        prof = dut.profile
        assert prof.host == "127.0.0.1" and prof.port > 0 and prof.role == ROLES[name]
        assert prof.transports == reference_profile(name).transports and prof.reference is not None
        assert prof.reference.program == name.split("-")[0]
        user = "dut" if name.startswith("baresip") else None
        hosts = [prof.host, *([prof.host6] if prof.host6 else [])]
        for transport, host in ((t, h) for t in prof.transports for h in hosts):  # TLS, WS, WSS; IPv6
            status = probe(host, prof.port_for(transport), transport, 3.0, user=user,
                           **peer_options(prof, transport))
            assert status is not None and status.startswith("SIP/2.0 2"), (transport, host, status, dut.log_text())
        if name.startswith("baresip"):
            assert prof.upper_tester.kind == "baresip" and dut.control is not None
            assert prof.upper_tester.control == f"{dut.control[0]}:{dut.control[1]}"
        pids = group_members(dut.process.pgid)
        assert dut.process.pid in pids
        if name.startswith("kamailio"):
            assert len(pids) > 1, "kamailio runs worker children"
    finally:
        dut.stop()
    dut.stop()  # idempotent
    _assert_gone(pids, dut.process.pgid)
    assert dut.log_text()


@needs("kamailio-uas")
def test_udp_only(tmp_path: Path) -> None:
    with start_reference(reference_profile("kamailio-uas"), tmp_path, transports=("udp",)) as dut:
        assert dut.profile.transports == ("udp",)
        assert probe("127.0.0.1", dut.profile.port, "udp", 2.0) == "SIP/2.0 200 OK"
        assert probe("127.0.0.1", dut.profile.port, "tcp", 0.3) is None


@needs("kamailio-uas")
def test_broken_config_fails_fast(tmp_path: Path) -> None:
    cfg = tmp_path / "broken.cfg"
    cfg.write_text('#!KAMAILIO\nloadmodule "tm.so"\nrequest_route {\n\tthis is not kamailio;\n}\n')
    started = time.monotonic()
    with pytest.raises(ReferenceDutError) as err:
        start_reference(reference_profile("kamailio-uas"), tmp_path, config=cfg)
    assert time.monotonic() - started < 5.0
    msg = str(err.value)
    assert "kamailio-uas" in msg and "last lines of the log" in msg and "broken.cfg" in msg


def test_missing_binary_and_unknown_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ProfileError, match="unknown reference DUT 'asterisk'; known: .*kamailio-uas"):
        reference_profile("asterisk")
    monkeypatch.setattr("sipconform.dut.reference.shutil.which", lambda _: None)
    with pytest.raises(ReferenceDutError, match="not installed"):
        start_reference(reference_profile("kamailio-uas"), tmp_path)


BLOCKER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from sipconform.dut.reference import start_reference
    from sipconform.dut.registry import reference_profile

    def test_start_then_block():
        dut = start_reference(reference_profile("kamailio-uas"), Path(os.environ["BLOCK_WORKDIR"]))
        print(f"READY {dut.process.pid}", flush=True)
        while True:
            signal.pause()
""")


@needs("kamailio-uas")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_interrupted_run_leaves_no_dut(sig: signal.Signals, tmp_path: Path) -> None:
    """A pytest run killed while a DUT runs stops it: SIGINT via atexit, SIGTERM via our handler,
    SIGKILL via PR_SET_PDEATHSIG in the DUT."""
    (tmp_path / "test_block.py").write_text(BLOCKER)
    env = dict(os.environ, BLOCK_WORKDIR=str(tmp_path / "work"), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    runner = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "test_block.py"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    out = b""
    try:
        deadline = time.monotonic() + 20
        while b"READY " not in out and (left := deadline - time.monotonic()) > 0:
            if not select.select([runner.stdout], [], [], left)[0]:
                break
            chunk = os.read(runner.stdout.fileno(), 4096)
            if not chunk:
                break
            out += chunk
        assert b"READY " in out, out.decode(errors="replace")
        line = out.split(b"READY ", 1)[1].split(b"\n", 1)[0]
        kam_pid = int(line.decode().strip())
        pids = group_members(kam_pid)
        assert kam_pid in pids and _alive(kam_pid)
        runner.send_signal(sig)
        runner.wait(timeout=15)
        if sig != signal.SIGKILL:  # stopped by our own exit path, before the runner exited
            assert not [p for p in pids if _alive(p)], "DUT outlived the run (left to PDEATHSIG)"
        _assert_gone(pids, kam_pid)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait(timeout=5)


# ---- CANCEL smoke (RFC 3261 §9) ---------------------------------------------------------
def _wait(dut: RunningDut) -> float:
    return max(2.0, 4 * dut.profile.timers.t1)


@pytest.mark.parametrize("transport", ["udp", "tcp"])
@pytest.mark.parametrize("name", [pytest.param(n, marks=needs(n)) for n in ("kamailio-uas", "baresip-uas")])
def test_uas_ringing_cancel(name: str, transport: str, tmp_path: Path, sipwire) -> None:  # noqa: ANN001
    """INVITE -> 180 -> CANCEL (same Via/branch, CSeq n CANCEL) -> 200 (CANCEL) + 487 (INVITE) -> ACK."""
    with start_reference(reference_profile(name), tmp_path, transports=(transport,)) as dut:
        target = (dut.profile.host, dut.profile.port)
        ep = sipwire.endpoint(transport, None if transport == "udp" else target)
        user = dut.profile.targets["ring"]
        ruri = f"sip:{user}@{target[0]}:{target[1]}" + (";transport=tcp" if transport == "tcp" else "")
        ids = sipwire.ids()
        ep.send(sipwire.request("INVITE", ruri, ep, cseq=1, sdp=True, **ids), target)
        ringing = ep.expect(_wait(dut), "180", lambda m: m.is_response and m.status == 180)
        to_tag = ringing.tag("To")
        assert to_tag, "§8.2.6.2: a UAS MUST add a To tag to a non-100 response"
        ep.send(sipwire.request("CANCEL", ruri, ep, cseq=1, **ids), target)
        got: dict[str, object] = {}
        while len(got) < 2:
            msg = ep.expect(_wait(dut), "200 (CANCEL) and 487 (INVITE)",
                            lambda m: m.is_response and m.status >= 200)
            got.setdefault(msg.cseq[1], msg)
        ok, terminated = got["CANCEL"], got["INVITE"]
        assert ok.status == 200 and ok.cseq == (1, "CANCEL") and ok.branch() == ids["branch"]
        assert terminated.status == 487 and terminated.cseq == (1, "INVITE")
        assert terminated.tag("To") == to_tag, "same To tag on every response of the transaction"
        assert ok.tag("To") == to_tag, "§9.2: To tag of the CANCEL response SHOULD equal the INVITE's"
        ep.send(sipwire.request("ACK", ruri, ep, cseq=1, to_tag=to_tag, **ids), target)
        assert dut.process.running, dut.log_text()


@pytest.mark.parametrize("transport", ["udp", "tcp"])
@needs("baresip-uac")
def test_uac_cancel_driven_over_ctrl(transport: str, tmp_path: Path, sipwire) -> None:  # noqa: ANN001
    """dial -> INVITE -> we 180 -> hangup -> CANCEL -> we 200 + 487 -> ACK (§9.1, §17.1.1.3)."""
    with start_reference(reference_profile("baresip-uac"), tmp_path, transports=(transport,)) as dut:
        assert dut.control is not None
        ep = sipwire.endpoint(transport)
        uri = f"sip:peer@127.0.0.1:{ep.port}" + (";transport=tcp" if transport == "tcp" else "")
        wait = _wait(dut)
        with BaresipControl(*dut.control) as ctl:
            ctl.dial(uri)
            invite = ep.expect(wait, "INVITE", lambda m: m.start.startswith("INVITE "))
            ep.send(sipwire.response(invite, 180, "Ringing", "peer-tag-1"), invite.source)
            assert ctl.wait_event("CALL_RINGING", wait), ctl.events
            ctl.hangup()
            cancel = ep.expect(wait, "CANCEL", lambda m: m.start.startswith("CANCEL "))
            assert cancel.start.split()[1] == invite.start.split()[1], "§9.1: same Request-URI"
            for h in ("Call-ID", "From", "To"):
                assert cancel.get(h) == invite.get(h), f"§9.1: {h} identical to the INVITE's"
            assert cancel.cseq == (invite.cseq[0], "CANCEL"), "§9.1: same CSeq number, method CANCEL"
            assert len(cancel.all("Via")) == 1 and cancel.branch() == invite.branch(), "§9.1: top Via"
            ep.send(sipwire.response(cancel, 200, "OK", "peer-tag-1"), cancel.source)
            ep.send(sipwire.response(invite, 487, "Request Terminated", "peer-tag-1"), invite.source)
            ack = ep.expect(wait, "ACK", lambda m: m.start.startswith("ACK "))
            assert ack.cseq == (invite.cseq[0], "ACK") and ack.branch() == invite.branch(), "§17.1.1.3"
            assert ack.tag("To") == "peer-tag-1", "§17.1.1.3: ACK To equals the response's To"
            assert ctl.wait_event("CALL_CLOSED", wait), ctl.events


@needs("kamailio-uas")
def test_kamailio_uas_targets_behave_as_declared(tmp_path: Path, sipwire) -> None:  # noqa: ANN001
    """[targets] of kamailio-uas.toml: answer -> 200 (Contact), busy -> 486, trying -> only 100."""
    with start_reference(reference_profile("kamailio-uas"), tmp_path, transports=("udp",)) as dut:
        target, t1 = (dut.profile.host, dut.profile.port), dut.profile.timers.t1
        ep = sipwire.endpoint("udp")
        for behaviour, code in (("answer", 200), ("busy", 486), ("trying", 100)):
            ruri = f"sip:{dut.profile.targets[behaviour]}@{target[0]}:{target[1]}"
            ids = sipwire.ids()
            ep.send(sipwire.request("INVITE", ruri, ep, cseq=1, sdp=True, **ids), target)
            ours = lambda m, cid=ids["call_id"]: m.is_response and m.get("Call-ID") == cid  # noqa: E731
            first = ep.expect(_wait(dut), f"{code} for {behaviour}", ours)
            assert first.status == code, first.start
            if code == 200:
                assert first.all("Contact") and first.tag("To")
            if code == 100:
                assert ep.recv(5 * t1) is None, "trying: nothing after the 100"
                ep.send(sipwire.request("CANCEL", ruri, ep, cseq=1, **ids), target)
                finals = {m.cseq[1]: m.status for m in (ep.expect(_wait(dut), "final", ours) for _ in range(2))}
                assert finals == {"CANCEL": 200, "INVITE": 487}
            elif code >= 300:
                ep.send(sipwire.request("ACK", ruri, ep, cseq=1, to_tag=first.tag("To"), **ids), target)
            else:  # ACK for a 2xx is its own transaction (§17.1.1.3, §13.2.2.4)
                ids = {**ids, "branch": sipwire.ids()["branch"]}
                ep.send(sipwire.request("ACK", ruri, ep, cseq=1, to_tag=first.tag("To"), **ids), target)
