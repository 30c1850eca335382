"""The ``requires(...)`` marker: what a test needs the DUT to declare, judged at collection from the
resolved profile, so that a test the profile rules out ends before any DUT is started.

``@pytest.mark.requires("rfc6026")``: a ``[capabilities]`` flag (false, written or by default, makes the
test not-applicable); ``requires(transport="udp")``: the instances on another transport are not-applicable
(a tuple: several transports); ``requires(transport="reliable")``: those on UDP are (the clause is about
TCP, TLS, WS and WSS alike: RFC 3261 §18, RFC 7118 §5); ``requires(target="answer")``: a ``[targets]``
user the suite must be able to call (none: inconclusive, as for any missing precondition). Each message
names the profile key.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from sipconform.dut.capabilities import capability_docs, ruled_out_by
from sipconform.dut.profile import TARGET_BEHAVIOURS
from sipconform.dut.schema import nearest
from sipconform.plugin.settings import DutTarget
from sipconform.verdict import Inconclusive, NotApplicable, Outcome
from sipconform.vocabulary import RELIABLE, TRANSPORTS

__all__ = ["check_requires", "problems_of_requires"]


def problems_of_requires(marks: Iterable[pytest.Mark]) -> list[str]:
    """Mistakes in ``requires`` markers, each a sentence (collection errors)."""
    out: list[str] = []
    known = capability_docs()
    for mark in marks:
        for name in mark.args:
            if not isinstance(name, str) or name not in known:
                guess = nearest(str(name), known)
                hint = f"did you mean {guess!r}?" if guess else f"known: {', '.join(known)}"
                out.append(f"requires({name!r}): not a capability of the profile schema ({hint})")
        for key, value in mark.kwargs.items():
            names = value if isinstance(value, (tuple, list)) else (value,)
            if key == "transport" and not (names and all(n in (*TRANSPORTS, "reliable") for n in names)):
                out.append(f"requires(transport={value!r}): give one of {', '.join(TRANSPORTS)}, or reliable")
            elif key == "target" and value not in TARGET_BEHAVIOURS:
                out.append(f"requires(target={value!r}): give one of {', '.join(TARGET_BEHAVIOURS)}")
            elif key not in ("transport", "target"):
                out.append(f"requires({key}=...): only capabilities, transport= and target= are known")
    return out


def check_requires(marks: Iterable[pytest.Mark], target: DutTarget) -> Outcome | None:
    """The outcome that ends a test instance whose ``requires`` the DUT does not meet, else None."""
    dut = target.dut
    for mark in marks:
        for name in mark.args:
            why = ruled_out_by(dut.capabilities, str(name))
            if why is not None:
                return NotApplicable(why)
        transport = mark.kwargs.get("transport")
        if transport == "reliable" and target.transport not in RELIABLE:
            return NotApplicable(f"the clause is about reliable transports ({', '.join(RELIABLE).upper()}); this "
                                 f"instance runs over {target.transport.upper()} (the profile's transports)")
        named = tuple(transport) if isinstance(transport, (tuple, list)) else (transport,)
        if transport not in (None, "reliable") and target.transport not in named:
            return NotApplicable(f"the clause is about {', '.join(named).upper()}; this instance runs over "
                                 f"{target.transport.upper()} (the profile's transports)")
        behaviour = mark.kwargs.get("target")
        if behaviour is not None and not dut.targets.get(str(behaviour)):
            return Inconclusive(f"the profile names no [targets] {behaviour} user, a Request-URI with which the "
                                f"DUT {TARGET_BEHAVIOURS[str(behaviour)]}")
    return None
