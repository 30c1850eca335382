"""Verdict messages as statements about the DUT: the peer's own exceptions (``NoMessage``,
``UnexpectedMessage``) name the test's peer and its inbox; a lab reads what the DUT did or did not send."""

from __future__ import annotations

import re

__all__ = ["in_dut_terms"]

_NO_MESSAGE = re.compile(r"(?:\w+\.)*NoMessage: (?P<peer>[^:\s]+): expected (?P<what>.+?) "
                         r"within (?P<window>[\d.e+-]+) s; (?P<reason>.+?)\. "
                         r"Unconsumed: (?P<rest>\[.*?\])\.(?P<tail>.*)$", re.S)
_UNEXPECTED = re.compile(r"(?:\w+\.)*UnexpectedMessage: (?P<peer>[^:\s]+): expected no (?P<what>.+?) for "
                         r"(?P<window>[\d.e+-]+) s; got (?P<got>.+?) at \+(?P<at>[\d.]+) s from (?P<source>\S+)$", re.S)
_GOT_INSTEAD = re.compile(r"got (?P<got>.+) instead")


def _to(peer: str) -> str:
    return "" if peer == "peer" else f" to the test's {peer}"


def in_dut_terms(message: str) -> str:
    """``message`` rephrased when it is a peer-internal one; otherwise unchanged."""
    if (m := _NO_MESSAGE.match(message)) is not None:
        what, window, reason = m["what"], m["window"], m["reason"]
        bare = re.sub(r"^(?:a|an) ", "", what)
        if (got := _GOT_INSTEAD.fullmatch(reason)) is not None:
            text = f"the DUT sent {got['got']}{_to(m['peer'])} where {what} was expected"
        elif reason.startswith("the client transaction timed out"):
            text = f"the DUT sent no {bare}{_to(m['peer'])} ({reason.removeprefix('the ')})"
        else:
            text = f"the DUT sent no {bare}{_to(m['peer'])} within {window} s"
        if m["rest"] != "[]":
            text += f" (its other messages: {m['rest']})"
        return text + "." + m["tail"]
    if (m := _UNEXPECTED.match(message)) is not None:
        return (f"the DUT sent {m['got']}{_to(m['peer'])} at +{m['at']} s from {m['source']}, where no "
                f"{m['what']} may come for {m['window']} s")
    return message
