"""Verdict messages as statements about the DUT: the peer's own exceptions (``NoMessage``,
``UnexpectedMessage``) name the test's peer and its inbox; a lab reads what the DUT did or did not send."""

from __future__ import annotations

import re

__all__ = ["in_dut_terms"]

_NO_MESSAGE = re.compile(r"(?:[\w]+\.)*NoMessage: (?P<peer>[^:\s]+): expected (?P<what>.+?) "
                         r"within (?P<window>[\d.e+-]+) s; (?P<reason>.+?)\. "
                         r"Unconsumed: (?P<rest>\[.*?\])\.(?P<tail>.*)$", re.S)
_UNEXPECTED = re.compile(r"(?:\w+\.)*UnexpectedMessage: (?P<peer>[^:\s]+): expected no (?P<what>.+?) for "
                         r"(?P<window>[\d.e+-]+) s; got (?P<got>.+?) at \+(?P<at>[\d.]+) s from (?P<source>\S+)$", re.S)
_GOT_INSTEAD = re.compile(r"got (?P<got>.+) instead")


def _at(peer: str) -> str:
    return "" if peer == "peer" else f" (at the test's {peer})"


def in_dut_terms(message: str) -> str:
    """``message`` rephrased where it quotes a peer-internal one (also inside a precondition's message);
    otherwise unchanged."""
    if (m := _NO_MESSAGE.search(message)) is not None:
        what, window, reason = m["what"], m["window"], m["reason"]
        bare = re.sub(r"^(?:a|an) ", "", what)
        if (got := _GOT_INSTEAD.fullmatch(reason)) is not None:
            text = f"the DUT did not send {what}{_at(m['peer'])}: got {got['got']} instead"
        elif reason.startswith("the client transaction timed out"):
            timer = re.search(r"Timer \w+ fired", reason)
            text = f"the DUT sent no {bare} within {window} s ({timer[0] if timer else 'timed out'}){_at(m['peer'])}"
        else:
            text = f"the DUT sent no {bare} within {window} s{_at(m['peer'])}"
        if m["rest"] != "[]":
            text += f" (its other messages: {m['rest']})"
        return message[:m.start()] + text + "." + m["tail"]
    if (m := _UNEXPECTED.search(message)) is not None:
        return message[:m.start()] + (f"no {m['what']} may come from the DUT for {m['window']} s, but it sent one: "
                                      f"got {m['got']} at +{m['at']} s from {m['source']}{_at(m['peer'])}")
    return message
