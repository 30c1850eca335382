#!/usr/bin/env python
"""Parse benchmark: sipconform against the SIP message libraries on PyPI (not a pytest test).

The work measured per message is the same for every library: parse the bytes, read Call-ID, the CSeq
number and method, EVERY Via value (parsed; the top one's branch is kept, and the count of parsed
values is checked), the From tag and the To tag, and build the message's bytes again from the
library's model. Libraries that parse header values lazily are made to parse them (the adapters read
the parsed fields, never the raw text). No library may hand back the input bytes it kept: sipconform's
adapter calls ``Message.serialize()``, which joins the stored text of each field, not ``bytes(msg)``,
which would return the kept input of an unedited message. Each adapter is checked against
``messages.EXPECTED`` before it is timed, and its serialization is checked for a round trip.

    python benchmarks/bench_parse.py                  # table on stdout
    python benchmarks/bench_parse.py --json out.json  # also write the results as JSON

Dev-only dependencies: ``pip install sipmessage aiosipua sippy`` (a library that is missing or that
fails on a message is reported and the others go on).
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import sys
import time
import timeit
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Hashable, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
from messages import EXPECTED, MIX  # noqa: E402

# (call_id, cseq_number, cseq_method, top_via_branch, from_tag, to_tag, number of parsed Via values)
Fields = tuple[Any, ...]
# adapter: bytes -> (fields, serialized bytes)
Adapter = Callable[[bytes], tuple[Fields, bytes]]
K = TypeVar("K", bound=Hashable)


# -- adapters -----------------------------------------------------------------------------------------
# Each adapter does, through the library's own public API: parse; Call-ID; CSeq number and method; the
# list of every Via value parsed (its length is returned, the first one's branch read); From and To
# parsed and their tags read; the bytes built again from the parsed model.

def make_sipconform() -> Adapter:
    from sipconform.sip.parse import parse_message

    def work(data: bytes) -> tuple[Fields, bytes]:
        msg = parse_message(data)            # default checks: start line, names, Content-Length, mandatory
        cseq = msg.cseq
        vias = msg.vias                      # every Via value parsed (not ``top_via``, which parses one)
        # ``serialize()`` joins the fields' text; ``bytes(msg)`` would return the kept input bytes
        return (msg.call_id, cseq.number, cseq.method, vias[0].branch, msg.from_.tag, msg.to.tag,
                len(vias)), msg.serialize()

    return work


def make_sipmessage() -> Adapter:
    from sipmessage import Message

    def work(data: bytes) -> tuple[Fields, bytes]:
        msg = Message.parse(data)
        cseq = msg.cseq                      # CSeq.parse on each access
        vias = msg.via                       # Via.parse_many of every Via field
        return (msg.call_id, cseq.sequence, cseq.method, vias[0].parameters.get("branch"),
                msg.from_address.parameters.get("tag"), msg.to_address.parameters.get("tag"),
                len(vias)), bytes(msg)

    return work


def make_aiosipua() -> Adapter:
    from aiosipua import SipMessage

    def work(data: bytes) -> tuple[Fields, bytes]:
        msg = SipMessage.parse(data)
        cseq = msg.cseq                      # parse_cseq on each access
        vias = msg.via                       # parse_via of every Via value
        from_addr, to_addr = msg.from_addr, msg.to_addr  # parse_address on each access
        if cseq is None or from_addr is None or to_addr is None:
            raise ValueError("no CSeq, From or To")
        return (msg.call_id, cseq.seq, cseq.method, vias[0].branch, from_addr.tag, to_addr.tag,
                len(vias)), bytes(msg)

    return work


def make_sippy() -> Adapter:
    from sippy.SipRequest import SipRequest
    from sippy.SipResponse import SipResponse

    def work(data: bytes) -> tuple[Fields, bytes]:
        text = data.decode("utf-8")          # sippy works on str, as its transaction manager does
        msg = SipResponse(text) if text.startswith("SIP/2.0 ") else SipRequest(text)
        # getHFBody()/getHFBodys() run the lazy parse of the header bodies
        number, method = msg.getHFBody("cseq").getCSeq()
        call_id = str(msg.getHFBody("call-id"))
        vias = msg.getHFBodys("via")         # every Via value (sippy splits comma lists at parse time)
        from_tag = msg.getHFBody("from").getTag()
        to_tag = msg.getHFBody("to").getTag()
        return (call_id, number, method, vias[0].getBranch(), from_tag, to_tag, len(vias)), \
            str(msg).encode("utf-8")

    return work


LIBRARIES: list[tuple[str, str | None, Callable[[], Adapter]]] = [
    # (name, PyPI distribution for the version, adapter factory)
    ("sipconform", "sipconform", make_sipconform),
    ("sipmessage", "sipmessage", make_sipmessage),
    ("aiosipua", "aiosipua", make_aiosipua),
    ("sippy", "sippy", make_sippy),
]


# -- checks ---------------------------------------------------------------------------------------------
@dataclass
class LibResult:
    name: str
    version: str | None = None
    error: str | None = None                    # could not import / set up
    ok: list[str] = field(default_factory=list)  # messages it handles correctly
    failures: dict[str, str] = field(default_factory=dict)
    roundtrip: dict[str, str] = field(default_factory=dict)  # message -> lossless / equivalent / broken: ...
    mix_best_s: float | None = None             # best time for one pass over its ok messages
    per_message_us: dict[str, float] = field(default_factory=dict)

    @property
    def full_mix(self) -> bool:
        return self.error is None and len(self.ok) == len(MIX)

    @property
    def us_per_msg(self) -> float | None:
        return None if self.mix_best_s is None else self.mix_best_s / len(self.ok) * 1e6

    @property
    def msgs_per_s(self) -> float | None:
        return None if self.mix_best_s is None else len(self.ok) / self.mix_best_s


def _norm(fields: Fields) -> tuple[object, ...]:
    call_id, number, method, branch, from_tag, to_tag, via_count = fields
    return (str(call_id) if call_id is not None else None, int(number) if number is not None else None,
            method, branch, from_tag, to_tag or None, via_count)


def _first_diff(a: bytes, b: bytes) -> str:
    la, lb = a.split(b"\r\n"), b.split(b"\r\n")
    for i, (x, y) in enumerate(zip(la, lb, strict=False)):
        if x != y:
            return f"line {i + 1}: {x[:50]!r} -> {y[:50]!r}"
    return f"{len(la)} lines -> {len(lb)} lines"


def check(result: LibResult, work: Adapter) -> None:
    for name, data in MIX:
        try:
            fields, wire = work(data)
        except Exception as exc:  # noqa: BLE001 - a library failing is a result, not a crash
            result.failures[name] = f"{type(exc).__name__}: {str(exc)[:80]}"
            continue
        got, want = _norm(fields), EXPECTED[name]
        if got != want:
            result.failures[name] = f"wrong fields: got {got}, want {want}"
            continue
        result.ok.append(name)
        if wire == data:
            result.roundtrip[name] = "lossless"
            continue
        try:
            again, _ = work(wire)
            same = _norm(again) == got
        except Exception as exc:  # noqa: BLE001
            result.roundtrip[name] = f"broken (re-parse fails: {type(exc).__name__}: {str(exc)[:60]})"
            continue
        detail = _first_diff(data, wire)
        result.roundtrip[name] = ("equivalent, not byte-identical" if same else "broken (fields change)") + \
            f" [{detail}]"


# -- timing ---------------------------------------------------------------------------------------------
# ``--clock``: wall time (the default), or the CPU time of this thread, which time spent waiting for
# a core on a machine shared with other jobs does not count (a single-threaded, CPU-bound benchmark).
CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.thread_time}
_clock: Callable[[], float] = time.perf_counter


def _timer(work: Adapter, datas: list[bytes]) -> timeit.Timer:
    def one_pass() -> None:
        for d in datas:
            work(d)

    return timeit.Timer(one_pass, timer=_clock)


def time_interleaved(jobs: dict[K, tuple[Adapter, list[bytes]]], number: int, repeat: int) -> dict[K, float]:
    """Best time in seconds for one pass over each job's messages.

    Every job is warmed up first; then ``repeat`` rounds each time every job once for ``number``
    passes, round-robin, and the best round counts. Interleaving spreads any outside load over all
    the libraries alike instead of penalising whichever ran while the machine was busy.
    """
    timers = {key: _timer(work, datas) for key, (work, datas) in jobs.items()}
    for t in timers.values():  # warm-up: caches, adaptive specialisation, lazy imports
        t.timeit(number=max(10, number // 10))
    best = {key: float("inf") for key in timers}
    for _ in range(repeat):
        for key, t in timers.items():
            gc.collect()
            best[key] = min(best[key], t.timeit(number=number) / number)  # timeit turns gc off inside
    return best


def run(number: int, repeat: int, per_message: bool) -> tuple[list[LibResult], dict[str, float]]:
    results: list[LibResult] = []
    adapters: dict[str, Adapter] = {}
    for name, dist, factory in LIBRARIES:
        res = LibResult(name)
        try:
            res.version = metadata.version(dist) if dist else None
        except metadata.PackageNotFoundError:
            pass
        try:
            work = factory()
        except Exception as exc:  # noqa: BLE001 - ImportError, or anything a broken install raises
            res.error = f"not available ({type(exc).__name__}: {exc}); pip install {dist}"
            results.append(res)
            continue
        check(res, work)
        adapters[name] = work
        results.append(res)

    by_name = dict(MIX)
    timed = [r for r in results if r.error is None and r.ok]
    # the full-mix (or partial-mix) runs, plus sipconform on the subset of each partial library, so
    # every ratio compares the same work
    jobs: dict[str, tuple[Adapter, list[bytes]]] = {
        r.name: (adapters[r.name], [by_name[n] for n in r.ok]) for r in timed}
    base = next((r for r in timed if r.name == "sipconform"), None)
    for r in timed:
        if base is not None and r is not base and not r.full_mix and set(r.ok) <= set(base.ok):
            jobs["sipconform@" + r.name] = (adapters["sipconform"], [by_name[n] for n in r.ok])
    best = time_interleaved(jobs, number, repeat)
    for r in timed:
        r.mix_best_s = best[r.name]
    subset_us = {key.partition("@")[2]: t / len(jobs[key][1]) * 1e6 for key, t in best.items() if "@" in key}

    if per_message:
        per_jobs = {(r.name, n): (adapters[r.name], [by_name[n]]) for r in timed for n in r.ok}
        per_best = time_interleaved(per_jobs, max(1, number // 3), repeat)
        for (lib, n), t in per_best.items():
            next(r for r in timed if r.name == lib).per_message_us[n] = t * 1e6
    return results, subset_us


# -- report ---------------------------------------------------------------------------------------------
def report(results: list[LibResult], subset_us: dict[str, float], number: int, repeat: int,
           clock: str = "wall") -> dict[str, Any]:
    base = next(r for r in results if r.name == "sipconform")
    lines: list[str] = []
    out = lines.append
    out("SIP parse benchmark: parse + Call-ID + CSeq number/method + every Via (top branch) + From/To tag "
        "+ rebuild the bytes")
    out(f"Python {platform.python_version()} ({platform.python_implementation()}), {platform.machine()}; "
        f"mix of {len(MIX)} messages; best of {repeat} x {number} passes; {clock} clock")
    out("")
    header = f"{'library':<12} {'version':<9} {'msgs':>5} {'msgs/s':>10} {'us/msg':>8} {'sipconform/x':>13}"
    out(header)
    out("-" * len(header))
    ratios: dict[str, float] = {}
    for res in results:
        if res.error:
            out(f"{res.name:<12} {res.version or '-':<9} {'-':>5} {'-':>10} {'-':>8} {'-':>13}  {res.error}")
            continue
        if res.mix_best_s is None:
            out(f"{res.name:<12} {res.version or '-':<9} {0:>5} {'-':>10} {'-':>8} {'-':>13}  fails every message")
            continue
        us = res.us_per_msg
        if res.name == "sipconform":
            ratio_txt = "1.00x"
        else:
            ref = base.us_per_msg if res.full_mix else subset_us.get(res.name)
            if ref is None or us is None:
                ratio_txt = "n/a"
            else:
                ratios[res.name] = us / ref
                ratio_txt = f"{us / ref:.2f}x" + ("" if res.full_mix else "*")
        note = "" if res.full_mix else f"  * partial mix: {len(res.ok)}/{len(MIX)} messages"
        out(f"{res.name:<12} {res.version or '-':<9} {len(res.ok):>5} {res.msgs_per_s:>10,.0f} {us:>8.1f} "
            f"{ratio_txt:>13}{note}")
    out("")
    out("sipconform/x = how many times faster sipconform is (x's us/msg divided by sipconform's).")

    full_others = [r for r in results if r.name != "sipconform" and r.full_mix and r.mix_best_s is not None]
    verdict: dict[str, object] = {}
    if base.full_mix and full_others:
        fastest = min(full_others, key=lambda r: r.us_per_msg or float("inf"))
        ratio = ratios[fastest.name]
        verdict = {"fastest_other": fastest.name, "ratio": ratio, "at_least_2x": ratio >= 2.0}
        out(f"Fastest other library on the full mix: {fastest.name} ({fastest.us_per_msg:.1f} us/msg). "
            f"sipconform is {ratio:.2f}x as fast: {'>= 2x: YES' if ratio >= 2.0 else '>= 2x: NO'}")
    else:
        out("No other library handled the full mix: no >= 2x verdict.")

    if any(r.per_message_us for r in results):
        out("")
        out("Per message (us, best of the same repeats):")
        names = [r.name for r in results if r.per_message_us]
        out(f"  {'message':<31}" + "".join(f"{n:>12}" for n in names))
        for msg_name, _ in MIX:
            row = "".join(
                f"{r.per_message_us[msg_name]:>12.1f}" if msg_name in r.per_message_us else f"{'fail':>12}"
                for r in results if r.per_message_us)
            out(f"  {msg_name:<31}{row}")

    out("")
    out("Round trip (serialize after parse) and failures:")
    for res in results:
        if res.error:
            out(f"  {res.name}: {res.error}")
            continue
        kinds = set(v.split(" [")[0] for v in res.roundtrip.values())
        if kinds == {"lossless"} and not res.failures:
            out(f"  {res.name}: lossless on every message (the rebuilt bytes equal the input)")
        else:
            for msg_name, _ in MIX:
                if msg_name in res.failures:
                    out(f"  {res.name}: {msg_name}: FAILS: {res.failures[msg_name]}")
                elif res.roundtrip.get(msg_name, "lossless") != "lossless":
                    out(f"  {res.name}: {msg_name}: {res.roundtrip[msg_name]}")
                else:
                    out(f"  {res.name}: {msg_name}: lossless")
    print("\n".join(lines))

    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "number": number,
        "repeat": repeat,
        "clock": clock,
        "messages": [n for n, _ in MIX],
        "libraries": [
            {
                "name": r.name, "version": r.version, "error": r.error, "ok": r.ok, "failures": r.failures,
                "roundtrip": r.roundtrip, "full_mix": r.full_mix, "msgs_per_s": r.msgs_per_s,
                "us_per_msg": r.us_per_msg, "sipconform_speedup": ratios.get(r.name),
                "per_message_us": r.per_message_us,
            }
            for r in results
        ],
        "sipconform_subset_us_per_msg": subset_us,
        "verdict": verdict,
        "report": lines,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--number", type=int, default=300, help="passes over the mix per timing run (default 300)")
    ap.add_argument("--repeat", type=int, default=7, help="timing runs; the best is kept (default 7)")
    ap.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                    help="wall: elapsed time (default); cpu: this thread's CPU time, steadier on a busy machine")
    ap.add_argument("--no-per-message", action="store_true", help="skip the per-message breakdown")
    ap.add_argument("--json", metavar="PATH", nargs="?", const=str(Path(__file__).resolve().parent / "results.json"),
                    help="write the results as JSON (PATH defaults to results.json beside this script)")
    args = ap.parse_args(argv)
    if args.number < 1 or args.repeat < 1:
        ap.error("--number and --repeat must be at least 1")
    global _clock
    _clock = CLOCKS[args.clock]
    results, subset_us = run(args.number, args.repeat, not args.no_per_message)
    data = report(results, subset_us, args.number, args.repeat, args.clock)
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2) + "\n")
        print(f"\nResults written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
