"""The server transport's side of the Via (§18.2.1, §18.2.2, RFC 3581 §4): what it adds to the top Via of
a request it receives, and where the responses go. Pure functions of the request and its source.
"""

from __future__ import annotations

from sipconform.sip.message import Request

__all__ = ["SERVER_VIA_PARAMS", "response_address", "stamp_via"]

Address = tuple[str, int]

SERVER_VIA_PARAMS = ("received", "rport")
"""The parameters a server transport fills in: ``received`` (§18.2.1) and the ``rport`` value (RFC 3581)."""


def _bare(host: str) -> str:
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def stamp_via(request: Request, source: Address, params: tuple[str, ...] = SERVER_VIA_PARAMS) -> Request:
    """``request`` with its top Via as the server transport leaves it (only the ``params`` named).

    §18.2.1: "If the host portion of the "sent-by" parameter contains a domain name, or if it contains
    an IP address that differs from the packet source address, the server MUST add a "received"
    parameter". RFC 3581 §4: an ``rport`` without value gets the source port, and then ``received`` is
    added even if the address is the same.
    """
    top = request.top_via
    has_rport = top.rport is not None
    kept = [(k, v) for k, v in top.params
            if not (k.lower() == "received" and "received" in params)
            and not (k.lower() == "rport" and has_rport and "rport" in params)]
    added: list[tuple[str, str]] = []
    if "received" in params and (_bare(top.host) != source[0] or (has_rport and "rport" in params)):
        added.append(("received", source[0]))
    if "rport" in params and has_rport:
        added.append(("rport", str(source[1])))
    if not added:
        return request
    rendered = "".join(f";{k}" + (f"={v}" if v is not None else "") for k, v in [*kept, *added])
    value = f"{top.sent_protocol} {top.sent_by}{rendered}"
    index = next(i for i, h in enumerate(request.headers) if h.key == "via")
    field = request.headers[index]
    stamped = field.with_value(", ".join([value, *field.values()[1:]]))
    result = request.with_headers([*request.headers[:index], stamped, *request.headers[index + 1:]])
    assert isinstance(result, Request)
    return result


def response_address(request: Request, source: Address) -> Address:
    """§18.2.2 (unreliable unicast, no maddr) and RFC 3581 §4: where the responses to ``request`` go.

    "if the top Via has a "received" parameter, the response MUST be sent to the address in the
    "received" parameter, using the port indicated in the "sent-by" value, or using port 5060 if none is
    specified explicitly"; with ``rport`` the port is the source port. The address is the packet's
    source (what ``received`` holds, or equals when it is left out).
    """
    top = request.top_via
    port = source[1] if top.rport is not None else (top.port or 5060)
    return source[0], port
