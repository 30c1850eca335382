"""``python -m faulty.uas --fault F --port 0 [--profile P]`` (``tests/support`` on ``PYTHONPATH``): a
conformant or faulty UAS as a process."""

from __future__ import annotations

import argparse
import json
import signal
import sys

from faulty import uas
from sipconform.sip import Timers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A conformant or faulty SIP UAS for sipconform's self-tests.")
    parser.add_argument("--fault", choices=sorted(uas.FAULTS), default=None, help="the clause to break (none: conformant)")
    parser.add_argument("--stateless", action="store_true", help="a stateless UAS (RFC 3261 §8.2.7)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="only 0 (an ephemeral port, printed) is supported")
    parser.add_argument("--t1", type=float, default=uas.TIMERS.t1)
    parser.add_argument("--profile", default=None, help="also write the DUT profile TOML here")
    args = parser.parse_args(argv)
    if args.port != 0:
        parser.error("--port: only 0 is supported (the port is printed)")
    timers = Timers(t1=args.t1, t2=max(uas.TIMERS.t2, args.t1), t4=uas.TIMERS.t4)
    device = uas.FaultyUas(args.fault, host=args.host, timers=timers, stateless=args.stateless).start()
    signal.signal(signal.SIGTERM, lambda *_: device.request_stop())
    signal.signal(signal.SIGINT, lambda *_: device.request_stop())
    profile = str(device.write_profile(args.profile)) if args.profile else None
    print(json.dumps({"port": device.port, "profile": profile, "fault": args.fault}), flush=True)
    while not device.wait(1.0):
        pass
    device.stop()
    for error in device.errors:
        print(error, file=sys.stderr)
    return 1 if device.errors else 0


if __name__ == "__main__":
    sys.exit(main())
