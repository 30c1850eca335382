"""Where a response to a UDP request went (RFC 3261 §18.2.2 ¶4, RFC 3581 §4): the socket of the sent-by port or
the one the request left from. The ports are those of the tester's sockets; the response is the first that came."""

from __future__ import annotations

from sipconform.sip import Response

__all__ = ["at_sent_by_port", "at_source_port"]

Address = tuple[str, int]


def at_sent_by_port(response: Response, reached: int, *, source: int, sent_by: int, method: str) -> list[str]:
    """RFC3261-18.2.2-2 (no ``rport``): the response to the ``method`` goes to the port of the Via's sent-by,
    ``sent_by``, not to the ``source`` port the request left from; it ``reached`` that port."""
    if reached == sent_by:
        return []
    return [(f"{response.start_line!r} to the {method} went to the source port {source}, not the sent-by port "
            f"{sent_by}")]


def at_source_port(response: Response, reached: int, *, source: int, sent_by: int, method: str,
                   came_from: Address, received_at: Address) -> list[str]:
    """RFC3581-4-2 (``rport`` in the Via): the response to the ``method`` goes to the ``source`` port, not the
    sent-by port, from the address the request was ``received_at``; it ``reached`` a port, ``came_from`` where."""
    if reached != source:
        return [(f"{response.start_line!r} to the {method} went to the sent-by port {sent_by}, not the rport "
                f"(source) port {source}")]
    if came_from != received_at:
        return [(f"{response.start_line!r} came from {came_from[0]}:{came_from[1]}, not from "
                f"{received_at[0]}:{received_at[1]} where the {method} was received")]
    return []
