"""Wire records of a typical §9.2 exchange (no sockets): INVITE, 100, 180, CANCEL, 200, 487, ACK."""

from __future__ import annotations

import pytest

from sipconform.peer.clock import FakeClock
from sipconform.peer.wirelog import WireLog, WireRecord, merge
from sipconform.sip.build import ack_for_non2xx, cancel_for, request, response_to
from sipconform.sip.message import Message

PEER = ("127.0.0.1", 40123)
DUT = ("127.0.0.1", 5070)


def invite(transport: str = "udp") -> Message:
    return request("INVITE", "sip:sipconform@127.0.0.1:5070", [
        ("Via", f"SIP/2.0/{transport.upper()} 127.0.0.1:40123;branch=z9hG4bKmain-1a2b3c4d-1;rport"),
        ("Max-Forwards", "70"), ("From", "<sip:peer@127.0.0.1:40123>;tag=main-1a2b3c4d-t1"),
        ("To", "<sip:sipconform@127.0.0.1:5070>"), ("Call-ID", "main-1a2b3c4d-c1@127.0.0.1"),
        ("CSeq", "1 INVITE"), ("Contact", "<sip:peer@127.0.0.1:40123>")])


def exchange(transport: str = "udp", *, peer: tuple[str, int] = PEER, dut: tuple[str, int] = DUT,
             dut_src: tuple[str, int] | None = None) -> list[WireRecord]:
    """The records the peer's wire log holds for INVITE/100/180/CANCEL/200/487/ACK."""
    clock = FakeClock()
    log = WireLog(clock, peer="peer")
    inv = invite(transport)
    cancel = cancel_for(inv)
    ringing = response_to(inv, 180, to_tag="dut-tag-42")
    steps = [("out", inv), ("in", response_to(inv, 100)), ("in", ringing), ("out", cancel),
             ("in", response_to(cancel, 200, to_tag="dut-tag-42")), ("in", response_to(inv, 487, to_tag="dut-tag-42"))]
    steps.append(("out", ack_for_non2xx(inv, steps[-1][1])))
    conn = 1 if transport == "tcp" else None
    for direction, msg in steps:
        clock.advance(0.0123)
        remote = dut if direction == "out" or dut_src is None else dut_src
        log.record(direction, transport, peer, remote, bytes(msg), message=msg, connection=conn)
    return merge(log)


@pytest.fixture
def udp_records() -> list[WireRecord]:
    return exchange("udp")


@pytest.fixture
def tcp_records() -> list[WireRecord]:
    return exchange("tcp")


# ---- results.json documents of two devices, with evidence files -------------------------------------
CONFORMANT = {"RFC3261-9.2-10": "pass", "RFC3261-9.2-8": "pass", "RFC3261-9.2-6": "pass",
              "RFC3261-8.2.6.2-1": "pass", "RFC3261-9.2-12": "inconclusive"}
# the faulty device: no 487 (SHOULD -> warn), 200 to CANCEL missing (MUST -> fail), 481 wrong (-> fail)
FAULTY = {**CONFORMANT, "RFC3261-9.2-10": "fail", "RFC3261-9.2-8": "warn", "RFC3261-9.2-6": "fail"}
MODULES = {"RFC3261-9.2-10": "uas/test_rfc3261_9_2_10_cancel_answered_200.py::test_matched_cancel_gets_200",
           "RFC3261-9.2-8": "uas/test_rfc3261_9_2_8_invite_487.py::test_invite_answered_487",
           "RFC3261-9.2-6": "uas/test_rfc3261_9_2_6_unmatched_cancel_481.py::test_unmatched_cancel_481",
           "RFC3261-8.2.6.2-1": "uas/test_rfc3261_8_2_6_2_1_cancel_200_mirrors.py::test_200_mirrors",
           "RFC3261-9.2-12": "uas/test_rfc3261_9_2_12_cancel_200_to_tag.py::test_same_to_tag"}
LEVELS = {"RFC3261-9.2-10": "MUST", "RFC3261-9.2-8": "SHOULD", "RFC3261-9.2-6": "SHOULD",
          "RFC3261-8.2.6.2-1": "MUST", "RFC3261-9.2-12": "SHOULD"}


def results_doc(directory, dut: str, verdicts: dict[str, str], transports=("udp", "tcp"),
                name: str = "results.json", evidence: bool = True):
    """Write a results.json for ``dut`` (two variants per clause) with evidence files; returns its path."""
    import json

    from sipconform.clauses import CATALOGUE
    from sipconform.report.ladder import ladder_svg
    from sipconform.report.pcap import write_pcap
    from sipconform.plugin.reports import safe_name

    results = []
    for clause, verdict in verdicts.items():
        for transport in transports:
            for variant in ("long-names", "compact-names"):
                stem = clause.lower().replace("-", "_").replace(".", "_")
                module = MODULES.get(clause) or f"uas/test_{stem}.py::test_it"
                nodeid = f"conformance/{module}[{dut}-{transport}-{variant}]"
                level = LEVELS.get(clause) or CATALOGUE[clause].level
                entry = {"nodeid": nodeid, "clause": clause, "level": level, "transport": transport,
                         "verdict": verdict, "message": "" if verdict == "pass" else f"{verdict}: the DUT erred",
                         "dut": dut}
                if evidence:
                    safe = safe_name(nodeid)
                    records = exchange(transport)
                    (directory / "evidence").mkdir(parents=True, exist_ok=True)
                    (directory / "evidence" / f"{safe}.svg").write_text(ladder_svg(records, title=nodeid))
                    (directory / "evidence" / f"{safe}.txt").write_text("trace")
                    write_pcap(directory / "pcap" / f"{safe}.pcap", records)
                    entry["evidence"] = {"ladder": f"evidence/{safe}.svg", "trace": f"evidence/{safe}.txt",
                                         "pcap": f"pcap/{safe}.pcap"}
                results.append(entry)
    doc = {"dut": {"name": dut, "role": "uas", "host": "127.0.0.1", "port": 5070},
           "duts": [{"name": dut, "role": "uas", "host": "127.0.0.1", "port": 5070}], "strict": False,
           "results": results}
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(json.dumps(doc, indent=1))
    return path


@pytest.fixture
def make_results():
    """``make_results(directory, dut, verdicts, ...)`` -> path of a results.json with evidence files."""
    return results_doc


@pytest.fixture
def make_exchange():
    """``make_exchange(transport, peer=..., dut=..., dut_src=...)`` -> wire records of a §9.2 exchange."""
    return exchange


@pytest.fixture
def conformant_and_faulty():
    """(verdicts of a conformant device, verdicts of a faulty one), clause -> verdict."""
    return dict(CONFORMANT), dict(FAULTY)
