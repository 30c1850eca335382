"""A small, honest SIP UAS for the project's self-tests, and faulty variants of it that each break one clause.

Built on the project's own ``SipPeer`` and transaction tables (no kamailio). The parts:

- ``faults``: the table ``FAULTS`` (name -> the clause it breaks, what the device does wrong);
- ``faulty.shell`` (shared with the proxy): UDP and TCP peers on one port, the thread, the profile;
- ``tu``: ``FaultyUas``, the TU (what RFC 3261 asks of a UAS), its 100rel and stateless modes;
- ``cancel_faults``: the CANCEL faults, grouped by the step of §9.2 they break;
- ``sending``: responses through the server transaction, and the edits some faults make;
- ``__main__``: the command line.

Use it in-process::

    with FaultyUas("no-487") as dut:            # .port, .profile_toml(), .write_profile(path)
        ...                                     # dut.errors: exceptions of the device's own code

or as a process: ``python -m faulty.uas --fault no-487 --port 0 [--profile out.toml]`` (``tests/support``
on ``PYTHONPATH``) prints one JSON line ``{"port": ..., "profile": ...}`` and runs until SIGINT/SIGTERM.
"""

from faulty.shell import TIMERS

from .faults import FAULTS, STATELESS_FAULTS
from .tu import TARGETS, FaultyUas

__all__ = ["FAULTS", "STATELESS_FAULTS", "FaultyUas", "TARGETS", "TIMERS"]
