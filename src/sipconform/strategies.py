"""Hypothesis strategies for SIP messages: valid tokens, spellings, whitespace, whole messages, CANCELs.

Package code (not test code) so that the project's own tests and the conformance properties share
them. Everything built here is *well formed* by RFC 3261 §7, §20 and §25 grammar, however odd it
looks: header names in any case or compact form (§7.3.1, §7.3.3), LWS with line folding, values
joined by commas, parameters in any order. ``messages()`` draws a ``Generated`` pair: the bytes and
the values a correct parser must read back from them.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from functools import lru_cache

from hypothesis import strategies as st

from sipconform.sip.grammar import BRANCH_MAGIC_COOKIE, COMPACT_FORMS
from sipconform.sip.message import Request

__all__ = [
    "Generated", "branches", "call_ids", "cancel_variants", "cancel_variants_from", "hosts", "header_names",
    "keepalives", "lws", "messages", "non_matching_cancel_variants", "separators", "sip_uris", "sws", "tags",
    "tokens",
]

ALPHANUM = string.ascii_letters + string.digits
TOKEN_CHARS = ALPHANUM + "-.!%*_+`'~"          # §25.1 token
WORD_CHARS = TOKEN_CHARS + "()<>:\\\"/[]?{}"    # §25.1 word (Call-ID)
USER_CHARS = ALPHANUM + "-_.!~*'()&=+$"        # unreserved and user-unreserved, minus ",;?/" (see sip_uris)
_COMPACT_OF = {long.lower(): short for short, long in COMPACT_FORMS.items()}
# Printable text as a reason phrase, quoted string or unknown header value may hold (UTF-8, no CR/LF).
_TEXT = st.characters(blacklist_categories=("Cs", "Cc"))

# Strategies are built once (lru_cache) and drawn from many times: building them is what costs.


@lru_cache(maxsize=None)
def tokens(min_size: int = 1, max_size: int = 12) -> st.SearchStrategy[str]:
    return st.text(TOKEN_CHARS, min_size=min_size, max_size=max_size)


@lru_cache(maxsize=None)
def branches() -> st.SearchStrategy[str]:
    """RFC 3261 branches: the magic cookie and a token (§8.1.1.7)."""
    return tokens(1, 16).map(lambda t: BRANCH_MAGIC_COOKIE + t)


@lru_cache(maxsize=None)
def tags() -> st.SearchStrategy[str]:
    return tokens(1, 16)


@lru_cache(maxsize=None)
def call_ids() -> st.SearchStrategy[str]:
    """§25.1 callid = word [ "@" word ]."""
    word = st.text(WORD_CHARS, min_size=1, max_size=16)
    return st.one_of(word, st.tuples(word, word).map("@".join))


@lru_cache(maxsize=None)
def hosts() -> st.SearchStrategy[str]:
    """Hostnames, IPv4 addresses and IPv6 references."""
    label = st.text(ALPHANUM, min_size=1, max_size=8)
    hostname = st.lists(label, min_size=1, max_size=4).map(".".join)
    ipv4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
    group = st.integers(0, 0xFFFF).map(lambda n: format(n, "x"))
    ipv6 = st.one_of(
        st.lists(group, min_size=8, max_size=8).map(lambda g: "[" + ":".join(g) + "]"),
        st.tuples(st.lists(group, max_size=3), st.lists(group, max_size=3)).map(
            lambda t: "[" + ":".join(t[0]) + "::" + ":".join(t[1]) + "]"),
    )
    return st.one_of(hostname, ipv4, ipv6)


@lru_cache(maxsize=None)
def ports() -> st.SearchStrategy[int | None]:
    return st.one_of(st.none(), st.integers(1, 65535))


_SCHEMES = st.sampled_from(["sip", "sips", "SIP"])
_USERS = st.one_of(st.none(), st.text(USER_CHARS, min_size=1, max_size=10),
                   st.tuples(st.text(USER_CHARS, max_size=4), st.integers(0, 255)).map(lambda t: f"{t[0]}%{t[1]:02X}"))
_URI_PARAMS = st.lists(st.tuples(tokens(1, 6), st.one_of(st.none(), tokens(1, 6))), max_size=3)


def _draw_uri(draw: st.DrawFn, params: bool) -> str:
    user = draw(_USERS)
    port = draw(ports())
    text = f"{draw(_SCHEMES)}:" + (f"{user}@" if user else "") + draw(hosts())
    text += f":{port}" if port is not None else ""
    for name, value in draw(_URI_PARAMS) if params else ():
        text += f";{name}" + (f"={value}" if value is not None else "")
    return text


@lru_cache(maxsize=None)
def sip_uris(*, params: bool = True) -> st.SearchStrategy[str]:
    """``sip:[user@]host[:port][;params]``; users may hold escapes (%HH). No ``,;?`` in users, so
    the URI can stand without angle brackets in an addr-spec too."""
    return st.composite(lambda draw: _draw_uri(draw, params))()


# -- spelling and whitespace ----------------------------------------------------------------------------
def _spell(name: str, mask: int) -> str:
    return "".join(c.upper() if mask >> i & 1 else c.lower() for i, c in enumerate(name))


@lru_cache(maxsize=None)
def header_names(long: str) -> st.SearchStrategy[str]:
    """Spellings of one header name: any letter case of the long form, or the compact form (§7.3.3)."""
    forms = [long] + ([_COMPACT_OF[long.lower()]] if long.lower() in _COMPACT_OF else [])
    return st.tuples(st.sampled_from(forms), st.integers(0, 2**16 - 1)).map(lambda t: _spell(*t))


@lru_cache(maxsize=None)
def lws(folding: bool = True) -> st.SearchStrategy[str]:
    """§25.1 LWS = [*WSP CRLF] 1*WSP: spaces and tabs, possibly with a line fold."""
    plain = ["  ", " ", "\t", " \t"]
    return st.sampled_from(plain + (["\r\n ", "\r\n\t", " \r\n  "] if folding else []))


@lru_cache(maxsize=None)
def sws(folding: bool = True) -> st.SearchStrategy[str]:
    """§25.1 SWS = [LWS]: nothing, or LWS."""
    return st.one_of(st.just(""), lws(folding))


@lru_cache(maxsize=None)
def separators(char: str, folding: bool = True) -> st.SearchStrategy[str]:
    """``SWS char SWS`` in one draw: SEMI, COMMA, EQUAL, SLASH, COLON of §25.1."""
    plain, folded = ["", " ", "\t", "  "], ["\r\n ", " \r\n\t"]
    combos = [f"{a}{char}{b}" for a in plain for b in plain]
    combos += [f"{a}{char}{b}" for a in folded for b in ("", " ")] + [f"{char}{b}" for b in folded] if folding else []
    return st.sampled_from(combos)


def keepalives() -> st.SearchStrategy[bytes]:
    """RFC 5626 §3.5.1 pings and pongs, as a stream carries them between messages."""
    return _KEEPALIVES


_KEEPALIVES = st.sampled_from([b"", b"\r\n", b"\r\n\r\n"])


# -- whole messages -----------------------------------------------------------------------------------------
@dataclass
class Generated:
    """A generated message and what it says. ``data`` is the exact bytes."""

    data: bytes
    method: str | None            # None for a response
    status: int | None
    uri: str | None
    call_id: str
    cseq: tuple[int, str]
    from_tag: str | None
    to_tag: str | None
    branches: list[str | None] = field(default_factory=list)
    sent_by: list[tuple[str, int | None]] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    extra: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""
    content_length: int | None = None


# Plain helpers that take ``draw``: composing them costs nothing, unlike building a strategy per call.
_EXTRA_PARAMS = st.lists(st.tuples(tokens(1, 6).map(lambda t: "x" + t), st.one_of(st.none(), tokens(1, 6))),
                         max_size=2, unique_by=lambda p: p[0].lower())
_TRANSPORTS = st.sampled_from(["UDP", "TCP", "TLS", "SCTP", "udp", "WS"])
_DISPLAY = st.one_of(
    st.none(),
    st.lists(tokens(1, 8), min_size=1, max_size=3).map(" ".join),
    st.text(_TEXT, max_size=12).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
)
_METHODS = st.sampled_from(["INVITE", "CANCEL", "ACK", "BYE", "OPTIONS", "REGISTER"]) | tokens(1, 10)
_VIA_BRANCH = st.one_of(branches(), st.none(), tokens(1, 6))
_MAYBE_TAG = st.one_of(st.none(), tags())
_HCOLON_BEFORE = st.sampled_from(["", " ", "\t"])


def _params(draw: st.DrawFn, required: list[tuple[str, str | None]], folding: bool) -> str:
    """``;a=1;b`` with SEMI and EQUAL whitespace (§25.1); ``required`` plus a few more, shuffled."""
    out = ""
    for name, value in draw(st.permutations(required + draw(_EXTRA_PARAMS))):
        out += draw(separators(";", folding)) + name
        if value is not None:
            out += draw(separators("=", folding)) + value
    return out


def _sent_protocol_and_by(draw: st.DrawFn, proto: tuple[str, str, str], host: str, port: int | None,
                          folding: bool) -> str:
    """§20.42: SLASH = SWS "/" SWS between the parts, LWS before the sent-by, COLON = SWS ":" SWS."""
    text = proto[0]
    for part in proto[1:]:
        text += draw(separators("/", folding)) + part
    text += draw(lws(folding)) + host
    if port is not None:
        text += draw(separators(":", folding)) + str(port)
    return text


def _via(draw: st.DrawFn, branch: str | None, host: str, port: int | None, folding: bool) -> str:
    text = _sent_protocol_and_by(draw, ("SIP", "2.0", draw(_TRANSPORTS)), host, port, folding)
    required: list[tuple[str, str | None]] = [("branch", branch)] if branch is not None else []
    if draw(st.booleans()):
        required.append(("rport", None))
    return text + _params(draw, required, folding)


def _name_addr(draw: st.DrawFn, tag: str | None, folding: bool) -> str:
    """§20.20/§20.39 From/To: name-addr (quoted or token display name) or addr-spec, with a tag."""
    display = draw(_DISPLAY)
    if display is None and draw(st.booleans()):
        text = draw(sip_uris(params=False))  # addr-spec: URI parameters would read as header parameters
    else:
        text = (display + draw(sws(folding)) if display else "") + f"<{draw(sip_uris())}>"
    return text + _params(draw, [("tag", tag)] if tag is not None else [], folding)


def _join(draw: st.DrawFn, name: str, values: list[str], folding: bool) -> list[tuple[str, str]]:
    """Values of one list header (§7.3.1), split over one or more lines, joined by COMMA within a line."""
    lines: list[tuple[str, str]] = []
    i = 0
    while i < len(values):
        n = draw(st.integers(1, len(values) - i))
        comma = draw(separators(",", folding))
        lines.append((draw(header_names(name)), comma.join(values[i:i + n])))
        i += n
    return lines


def _head(draw: st.DrawFn, start: str, fields: list[tuple[str, str]], folding: bool) -> str:
    """Start line and fields, HCOLON = *( SP / HTAB ) ":" SWS (§25.1), and the empty line."""
    return start + "\r\n" + "".join(f"{name}{draw(_HCOLON_BEFORE)}:{draw(sws(folding))}{value}\r\n"
                                     for name, value in fields) + "\r\n"


@st.composite
def messages(draw: st.DrawFn, *, response: bool | None = None, method: str | None = None,
             with_length: bool | None = True, folding: bool = True, lf_only: bool | None = None) -> Generated:
    """A well-formed request or response, as exact bytes plus what it says.

    ``method`` fixes the request method (or the CSeq method of a response). ``with_length`` None
    leaves Content-Length out at random (fine over a datagram only, §18.3).
    """
    is_response = draw(st.booleans()) if response is None else response
    method = method or draw(_METHODS)
    n_vias = draw(st.integers(1, 3))
    via_branches = [draw(_VIA_BRANCH) for _ in range(n_vias)]
    sent_by = [(draw(hosts()), draw(ports())) for _ in range(n_vias)]
    vias = [_via(draw, b, h, p, folding) for b, (h, p) in zip(via_branches, sent_by, strict=False)]
    routes = [f"<{draw(sip_uris())};lr>" for _ in range(draw(st.integers(0, 2)))]
    gen = Generated(b"", None if is_response else method, None, None, draw(call_ids()),
                    (draw(st.integers(0, 2**31 - 1)), method), draw(_MAYBE_TAG), draw(_MAYBE_TAG),
                    via_branches, sent_by, routes)
    # Groups keep the relative order of the Via lines and of the Route lines (§7.3.1); the groups
    # themselves, and the other fields, come in any order.
    groups = [_join(draw, "Via", vias, folding), _join(draw, "Route", routes, folding)]
    fields = [(draw(header_names("From")), _name_addr(draw, gen.from_tag, folding)),
              (draw(header_names("To")), _name_addr(draw, gen.to_tag, folding)),
              (draw(header_names("Call-ID")), gen.call_id),
              (draw(header_names("CSeq")), f"{gen.cseq[0]}{draw(lws(folding))}{method}")]
    if not is_response:
        fields.append((draw(header_names("Max-Forwards")), str(draw(st.integers(0, 255)))))
    for _ in range(draw(st.integers(0, 2))):
        fields.append(("X-" + draw(tokens(1, 8)), draw(st.text(_TEXT, max_size=20)).strip(" \t")))
    groups += [[f] for f in fields]
    fields = [f for group in draw(st.permutations(groups)) for f in group]
    for name, value in fields:
        if name.startswith("X-"):
            gen.extra.setdefault(name.lower(), []).append(value)
    gen.body = draw(st.binary(max_size=64))
    if with_length or (with_length is None and draw(st.booleans())):
        gen.content_length = len(gen.body)
        fields.append((draw(header_names("Content-Length")), str(len(gen.body))))
    if is_response:
        gen.status = draw(st.integers(100, 699))
        start = f"SIP/2.0 {gen.status} {draw(st.text(_TEXT, max_size=20))}"
    else:
        gen.uri = draw(sip_uris())
        start = f"{method} {gen.uri} SIP/2.0"
    head = _head(draw, start, fields, folding)
    if draw(st.booleans()) if lf_only is None else lf_only:
        head = head.replace("\r\n", "\n")
    gen.data = head.encode("utf-8") + gen.body
    return gen


# -- CANCEL variants for an INVITE (§9.1, §9.2, §17.2.3) ---------------------------------------------------
@st.composite
def _cancel(draw: st.DrawFn, invite: Request, branch: str | None, host: str, port: int | None,
            folding: bool, unknown_headers: bool = True) -> Request:
    from sipconform.sip.parse import parse_message  # local: keep the package import light

    via = invite.top_via
    text = _sent_protocol_and_by(draw, (via.protocol, via.version, via.transport), host, port, folding)
    params = [(k, v) for k, v in via.params if k.lower() != "branch"]
    for name, value in draw(st.permutations(params + ([("branch", branch)] if branch is not None else []))):
        text += draw(separators(";", folding)) + name + ("" if value is None else "=" + value)
    fields = [(draw(header_names("Via")), text), *_join(draw, "Route", invite.header_values("route"), folding),
              (draw(header_names("From")), invite.from_.text), (draw(header_names("To")), invite.to.text),
              (draw(header_names("Call-ID")), invite.call_id),
              (draw(header_names("CSeq")), f"{invite.cseq.number}{draw(lws(folding))}CANCEL"),
              (draw(header_names("Max-Forwards")), str(draw(st.integers(1, 70))))]
    extra = draw(st.integers(0, 2 * unknown_headers))
    fields += [("X-" + draw(tokens(1, 8)), draw(tokens(0, 12))) for _ in range(extra)]
    # Route lines stay in their order (§7.3.1): shuffle everything else around them.
    routes = [f for f in fields if f[0].lower() == "route"]
    groups = [[f] for f in fields if f[0].lower() != "route"] + ([routes] if routes else [])
    flat = [f for group in draw(st.permutations(groups)) for f in group]
    flat.append((draw(header_names("Content-Length")), "0"))
    msg = parse_message(_head(draw, f"CANCEL {invite.uri} SIP/2.0", flat, folding).encode("utf-8"))
    assert isinstance(msg, Request)
    return msg


def cancel_variants(invite: Request, *, folding: bool = True) -> st.SearchStrategy[Request]:
    """CANCELs that MUST match ``invite`` (§9.2 via §17.2.3): the §9.1 values, with header names in
    any case or compact form, any legal whitespace (folded if ``folding``), the top Via's parameters
    in any order, Route values joined or split, and unknown header fields added."""
    via = invite.top_via
    return _cancel(invite, via.branch, via.host, via.port, folding)


def non_matching_cancel_variants(invite: Request, *, folding: bool = True) -> st.SearchStrategy[Request]:
    """CANCELs that MUST NOT match ``invite`` (an RFC 3261 INVITE): everything as in
    ``cancel_variants`` but another branch, or another sent-by host or port."""
    via = invite.top_via
    other_branch = branches().filter(lambda b: b.lower() != (via.branch or "").lower())
    other_host = hosts().filter(lambda h: h.lower() != via.host.lower())
    other_port = st.integers(1, 65535).filter(lambda p: p != via.port)
    return st.one_of(
        other_branch.flatmap(lambda b: _cancel(invite, b, via.host, via.port, folding)),
        other_host.flatmap(lambda h: _cancel(invite, via.branch, h, via.port, folding)),
        other_port.flatmap(lambda p: _cancel(invite, via.branch, via.host, p, folding)),
    )


def cancel_variants_from(invite: Request, *, branches_: st.SearchStrategy[str | None] | None = None,
                         hosts_: st.SearchStrategy[str] | None = None, folding: bool = True,
                         unknown_headers: bool = True) -> st.SearchStrategy[Request]:
    """Like ``cancel_variants`` with the top Via's branch and/or sent-by host drawn from the given
    strategies (the port stays the INVITE's, so a DUT's response still reaches the sender), and
    optionally without unknown header fields."""
    via = invite.top_via
    branch_s = branches_ if branches_ is not None else st.just(via.branch)
    host_s = hosts_ if hosts_ is not None else st.just(via.host)
    return st.tuples(branch_s, host_s).flatmap(
        lambda bh: _cancel(invite, bh[0], bh[1], via.port, folding, unknown_headers))
