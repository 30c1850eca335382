"""RFC 3263 §4 and §4.4 checks: where the requests of one transaction went, server by server.

Inputs are the servers' names (as the suite's peers print them) and what each received; no peer, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["cancel_to_server_reached", "one_server_per_transaction"]


def cancel_to_server_reached(reached: str, first: str, cancel_at: str, misdirected: Sequence[str]) -> list[str]:
    """RFC3263-4-1: the CANCEL (and the ACK of the non-2xx) of the INVITE delivered to ``reached`` went there,
    nothing to ``first`` (the SRV priority 0 server that answered 503). ``misdirected``: what ``first`` got of
    that transaction."""
    if cancel_at == reached and not misdirected:
        return []
    return [(f"the DUT sent {', '.join(misdirected) or 'its CANCEL'} for the INVITE delivered to {reached} to "
             f"{first} (SRV priority 0, which had answered 503), not to the server the INVITE was delivered to: it "
             f"located the server afresh instead of once per transaction (RFC 3263 §4)")]


def one_server_per_transaction(call: int, invite_at: str, stray: Sequence[str], delivery: str, *,
                               method: str | None = None) -> list[str]:
    """RFC3263-4-1 (``method`` CANCEL) / RFC3263-4.4-1 (``method`` None: every request): the requests of call
    number ``call`` went to ``invite_at``, the server its INVITE reached; ``stray``: the other servers that got
    some; ``delivery``: who got what."""
    if not stray:
        return []
    if method == "CANCEL":
        return [(f"call {call}: the INVITE was delivered to {invite_at} but the DUT sent the CANCEL to "
                 f"{', '.join(stray)}, not to the server the INVITE was delivered to ({delivery})")]
    return [(f"call {call}: the INVITE was delivered to {invite_at} but the DUT sent requests of the same "
             f"transaction to {', '.join(stray)} as well: {delivery}")]
