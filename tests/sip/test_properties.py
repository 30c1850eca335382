"""Properties of the core, with Hypothesis: round trip, stream framing, robustness, CANCEL matching.

Example counts are kept modest so that the whole of ``tests/sip`` stays within seconds; raise them
locally with ``--hypothesis-profile`` or a ``HYPOTHESIS_...`` setting when hunting.
"""

from __future__ import annotations

from typing import Any, Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sipconform.sip import (
    Message, ParseError, Request, Response, StreamFramer, cancel_for, cancel_matches, parse_message, response_to,
    transaction_key,
)
from sipconform.sip.grammar import canonical_name
from sipconform.sip.malformations import malformations
from sipconform.sip.parse import _parse_fields, _parse_fields_fast, split_head
from sipconform.sip.uri import uri_equal
from sipconform.strategies import (
    Generated, cancel_variants, cancel_variants_from, keepalives, messages, non_matching_cancel_variants, sip_uris,
)

# No example database: several engineers and CI share the tree, and failures print a reproducible blob.
SETTINGS = settings(max_examples=100, deadline=None, print_blob=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# -- (a) round trip --------------------------------------------------------------------------------------------
@SETTINGS
@given(messages(with_length=None))
def test_round_trip_and_views(gen: Generated) -> None:
    msg = parse_message(gen.data)
    assert bytes(msg) == gen.data
    if gen.method is None:
        assert isinstance(msg, Response) and msg.status == gen.status
    else:
        assert isinstance(msg, Request)
        assert (msg.method, msg.uri) == (gen.method, gen.uri)
        assert msg.request_uri.text == gen.uri
    assert msg.call_id == gen.call_id
    assert (msg.cseq.number, msg.cseq.method) == gen.cseq
    assert (msg.from_.tag, msg.to.tag) == (gen.from_tag, gen.to_tag)
    assert [v.branch for v in msg.vias] == gen.branches
    assert [(v.host, v.port) for v in msg.vias] == gen.sent_by
    assert [r.uri for r in msg.routes] == [r[1:-1] for r in gen.routes]  # "<uri;lr>" -> "uri;lr"
    for name, values in gen.extra.items():
        assert msg.header_values(name) == values
    assert msg.content_length == gen.content_length
    assert msg.body == gen.body
    assert malformations(msg) == [], "a well-formed message breaks no rule"


@settings(SETTINGS, max_examples=60)
@given(messages(folding=False))
def test_fast_and_careful_header_paths_agree(gen: Generated) -> None:
    """The parser's fast path (no folding, names seen before) builds exactly the fields of the
    careful line-by-line path, whichever of them a given message happens to take."""
    cut = split_head(gen.data)
    assert cut is not None
    head = gen.data[:cut[0]].decode("utf-8")
    lines = head.split("\n")[:-1]
    careful = _parse_fields(lines)  # also teaches the fast path every name in the message
    first: dict[str, str] = {}
    fast = _parse_fields_fast(head[len(lines[0]) + 1:], first)
    if fast is not None:  # None only when the bounded cache of known names is full
        assert fast == careful
        assert [f.key for f in fast] == [f.key for f in careful]
        assert first == {f.key: f.value for f in reversed(careful)}  # what Message._first_values holds
    msg = parse_message(gen.data)
    assert msg.headers == careful
    assert msg._first_values == {f.key: f.value for f in reversed(careful)}


@settings(SETTINGS, max_examples=40)
@given(messages(with_length=True))
def test_stream_parse_equals_datagram_parse(gen: Generated) -> None:
    assert parse_message(gen.data, stream=True) == parse_message(gen.data)


@SETTINGS
@given(sip_uris())
def test_generated_uris_parse_and_equal_themselves(text: str) -> None:
    assert uri_equal(text, text)
    assert uri_equal(text, text.replace("sip:", "SIP:", 1))


# -- (b) framing ---------------------------------------------------------------------------------------------------
@settings(SETTINGS, max_examples=60)
@given(st.lists(st.tuples(keepalives(), messages(with_length=True)), min_size=1, max_size=3), keepalives(),
       st.data())
def test_framing_any_split(parts: list[tuple[bytes, Generated]], trailer: bytes, data: st.DataObject) -> None:
    stream = b"".join(ka + gen.data for ka, gen in parts) + trailer
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8), label="cuts"))
    framer = StreamFramer()
    got: list[bytes] = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=False):
        framer.feed(stream[start:end])
        while (m := framer.next_message()) is not None:
            got.append(m)
    assert got == [gen.data for _, gen in parts]
    assert framer.next_message() is None and framer.pending == b""
    assert [parse_message(m, stream=True).call_id for m in got] == [gen.call_id for _, gen in parts]


# -- (c) robustness: nothing but ParseError, ever ----------------------------------------------------------------
VIEWS: list[Callable[[Any], Any]] = [
    lambda m: [(v.host, v.port, v.branch, v.received, v.rport, v.sent_protocol) for v in m.vias],
    lambda m: m.top_via.is_rfc3261_branch,
    lambda m: m.call_id,
    lambda m: (m.cseq.number, m.cseq.method),
    lambda m: (m.from_.tag, m.from_.display, m.from_.sip_uri.host, m.from_.sip_uri.port, m.from_.without_tag()),
    lambda m: (m.to.tag, m.to.display, m.to.sip_uri.params, m.to.sip_uri.headers),
    lambda m: [(r.uri, r.sip_uri.host) for r in m.routes + m.record_routes],
    lambda m: (m.max_forwards, m.content_length),
    lambda m: [m.header_values(h.name) for h in m.headers],
    lambda m: (m.method, m.uri, m.request_uri.host, m.request_uri.port, m.request_uri.user,
               m.request_uri.params, m.request_uri.headers) if isinstance(m, Request) else (m.status, m.reason),
    lambda m: transaction_key(m) if isinstance(m, Request) else None,
    lambda m: (bytes(cancel_for(m)), cancel_matches(m, cancel_for(m))) if isinstance(m, Request) else None,
    lambda m: bytes(response_to(m, 487)) if isinstance(m, Request) else None,
    lambda m: uri_equal(m.uri, m.uri) if isinstance(m, Request) else None,
    lambda m: bytes(m.with_body(b"x")),
]


def only_parse_errors(data: bytes, **kwargs: Any) -> None:
    try:
        msg: Message = parse_message(data, **kwargs)
    except ParseError as exc:
        assert exc.kind in {"truncated", "start-line", "header", "missing-header", "content-length", "encoding",
                            "too-large", "value"}
        return
    # the whole input, or over a datagram the start of it up to Content-Length (the rest discarded, §18.3)
    assert bytes(msg) == data or (data.startswith(bytes(msg)) and msg.content_length is not None
                                  and not kwargs.get("stream"))
    malformations(msg)  # never raises
    for view in VIEWS:
        try:
            view(msg)
        except ParseError:
            pass


def frame_only_parse_errors(data: bytes) -> None:
    framer = StreamFramer(max_size=2048)
    try:
        framer.feed(data)
        while (m := framer.next_message()) is not None:
            only_parse_errors(m, stream=True)
    except ParseError:
        pass


@settings(SETTINGS, max_examples=300)
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    only_parse_errors(data)
    only_parse_errors(data, validate=False)
    frame_only_parse_errors(data)


_HEAD_BYTES = st.sampled_from(list(b" \t\r\n:;,<>\"@[]/=%?\\0123456789") + [0x00, 0x7F, 0x80, 0xC3, 0xFF])


@st.composite
def mutations(draw: st.DrawFn) -> bytes:
    """A valid message broken a little: truncated, bytes flipped, inserted or deleted."""
    data = bytearray(draw(messages(with_length=None)).data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "truncate":
            del data[pos:]
        elif op == "flip" and data:
            data[pos] = draw(_HEAD_BYTES)
        elif op == "insert":
            data[pos:pos] = bytes([draw(_HEAD_BYTES)])
        elif data:
            del data[pos:pos + draw(st.integers(1, 8))]
    return bytes(data)


@settings(SETTINGS, max_examples=150)
@given(mutations())
def test_mutated_messages(data: bytes) -> None:
    only_parse_errors(data)
    only_parse_errors(data, validate=False)
    frame_only_parse_errors(data)


# -- CANCEL variants (strategies the conformance properties reuse) -------------------------------------------------
@settings(SETTINGS, max_examples=40)
@given(st.data())
def test_cancel_variants_match(data: st.DataObject) -> None:
    invite = parse_message(data.draw(messages(response=False, method="INVITE"), label="invite").data)
    assert isinstance(invite, Request)
    cancel = data.draw(cancel_variants(invite), label="cancel")
    assert cancel_matches(invite, cancel)
    assert cancel_matches(invite, cancel_for(invite))
    assert cancel_matches(invite, data.draw(cancel_variants_from(invite, folding=False), label="unfolded"))
    assert {canonical_name(h.name) for h in cancel.headers} >= {"via", "from", "to", "call-id", "cseq"}


@settings(SETTINGS, max_examples=40)
@given(st.data())
def test_non_matching_cancel_variants(data: st.DataObject) -> None:
    gen = data.draw(messages(response=False, method="INVITE").filter(lambda g: (g.branches[0] or "").startswith(
        "z9hG4bK")), label="invite")
    invite = parse_message(gen.data)
    assert isinstance(invite, Request)
    cancel = data.draw(non_matching_cancel_variants(invite), label="cancel")
    assert not cancel_matches(invite, cancel)
