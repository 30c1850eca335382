"""The message corpus (in the spirit of RFC 4475): tricky valid messages and broken ones, as exact bytes.

``corpus/valid/*.sip`` must parse, give back the very same bytes (but for a datagram's bytes beyond its
Content-Length, which §18.3 discards: ``discarded`` in the manifest), and show the parsed values the
manifest lists. ``corpus/invalid/*.sip`` must raise ``ParseError`` of the declared ``kind`` (with
``line``/``offset`` where the manifest gives them), from the parser or, for ``view`` cases, from the
parsed view named; never any other exception.

To add a case: write the exact bytes to a ``.sip`` file (``Path(...).write_bytes(b"...\r\n")``; the
folder's ``.gitattributes`` keeps git from touching line endings) and give it an entry in
``manifest.json``: a ``description`` and, for a valid message, an ``expect`` table (keys: see
``VIEWS``, ``OBJECTS`` and ``check_expectation``); for an invalid one, ``kind`` and, where they mean
something, ``line``/``offset``, ``max_size``, ``stream`` or the ``view`` that must raise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from sipconform.sip import Message, ParseError, Request, Response, StreamFramer, parse_message

CORPUS = Path(__file__).parent / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
VALID = sorted(MANIFEST["valid"])
INVALID = sorted(MANIFEST["invalid"])


def read(kind: str, name: str) -> bytes:
    return (CORPUS / kind / name).read_bytes()


def test_manifest_lists_every_file() -> None:
    on_disk = {kind: sorted(p.name for p in (CORPUS / kind).glob("*.sip")) for kind in ("valid", "invalid")}
    assert on_disk == {"valid": VALID, "invalid": INVALID}
    assert len(VALID) >= 25 and len(INVALID) >= 40


def touch_every_view(msg: Message) -> None:
    """Every parsed view of a valid message works (no view raises on a valid message)."""
    for via in msg.vias:
        via.host, via.port, via.branch, via.sent_protocol  # noqa: B018
    msg.call_id, msg.cseq, msg.max_forwards, msg.content_length  # noqa: B018
    msg.from_.tag, msg.to.tag, msg.routes, msg.record_routes  # noqa: B018
    for addr in (msg.from_, msg.to, *msg.routes, *msg.record_routes):
        addr.sip_uri.host  # noqa: B018
    if isinstance(msg, Request):
        msg.method, msg.request_uri.host, msg.request_uri.params  # noqa: B018
    else:
        assert isinstance(msg, Response)
        msg.status, msg.reason  # noqa: B018


def _attrs(obj: Any, expected: dict[str, Any]) -> None:
    for attr, value in expected.items():
        if attr == "param":
            for name, pvalue in value.items():
                assert obj.param(name) == pvalue, name
        else:
            assert getattr(obj, attr) == value, attr


# manifest "expect" key -> what it is compared with
VIEWS: dict[str, Callable[[Any], Any]] = {
    "method": lambda m: m.method,
    "status": lambda m: m.status,
    "reason": lambda m: m.reason,
    "version": lambda m: m.version,
    "call_id": lambda m: m.call_id,
    "max_forwards": lambda m: m.max_forwards,
    "content_length": lambda m: m.content_length,
    "body_len": lambda m: len(m.body),
    "cseq": lambda m: [m.cseq.number, m.cseq.method],
    "from_tag": lambda m: m.from_.tag,
    "to_tag": lambda m: m.to.tag,
    "from_display": lambda m: m.from_.display,
    "to_display": lambda m: m.to.display,
    "to_uri": lambda m: m.to.uri,
    "vias": lambda m: len(m.vias),
    "routes": lambda m: len(m.routes),
    "record_routes": lambda m: len(m.record_routes),
    "contacts": lambda m: len(m.header_values("contact")),
    "via_branches": lambda m: [v.branch for v in m.vias],
    "via_hosts": lambda m: [v.host for v in m.vias],
    "via_ports": lambda m: [v.port for v in m.vias],
    "route_uris": lambda m: [r.uri for r in m.routes],
}
# manifest "expect" key -> the object whose attributes a dict of expectations names
OBJECTS: dict[str, Callable[[Any], Any]] = {
    "top_via": lambda m: m.top_via,
    "request_uri": lambda m: m.request_uri,
    "from_sip_uri": lambda m: m.from_.sip_uri,
}


def check_expectation(msg: Message, key: str, value: Any) -> None:
    if key in VIEWS:
        assert VIEWS[key](msg) == value, key
    elif key in OBJECTS:
        _attrs(OBJECTS[key](msg), value)
    elif key == "discarded":
        pass  # checked by test_valid_round_trips_byte_exact and test_valid_frames_on_a_stream
    elif key == "header":
        for name, text in value.items():
            assert msg.header(name) == text, name
    elif key == "values":
        for name, values in value.items():
            assert msg.header_values(name) == values, name
    else:
        pytest.fail(f"manifest key without a check: {key}")


def discarded(name: str) -> int:
    """How many bytes of a valid datagram lie beyond its Content-Length (discarded, §18.3)."""
    return int(MANIFEST["valid"][name].get("expect", {}).get("discarded", 0))


@pytest.mark.parametrize("name", VALID)
def test_valid_round_trips_byte_exact(name: str) -> None:
    """The message gives back its bytes: the whole datagram, but for any bytes beyond Content-Length."""
    data = read("valid", name)
    msg = parse_message(data)
    assert bytes(msg) == data[: len(data) - discarded(name)]
    assert isinstance(msg, Response if data[:4].upper() == b"SIP/" else Request)


@pytest.mark.parametrize("name", VALID)
def test_valid_parsed_views(name: str) -> None:
    msg = parse_message(read("valid", name))
    touch_every_view(msg)
    for key, value in MANIFEST["valid"][name].get("expect", {}).items():
        check_expectation(msg, key, value)


@pytest.mark.parametrize("name", VALID)
def test_valid_frames_on_a_stream(name: str) -> None:
    """Each valid message with a Content-Length comes out of a stream whole, also between keep-alives."""
    data = read("valid", name)
    extra = discarded(name)
    if extra:  # on a stream, Content-Length cuts the message; what follows is the next one's start
        framer = StreamFramer()
        framer.feed(data)
        assert framer.next_message() == data[:-extra]
        assert framer.pending == data[-extra:]
        with pytest.raises(ParseError, match="on a stream"):
            parse_message(data, stream=True)
        return
    if parse_message(data).content_length is None:
        with pytest.raises(ParseError) as info:
            parse_message(data, stream=True)
        assert info.value.kind == "content-length"
        return
    framer = StreamFramer()
    framer.feed(b"\r\n\r\n" + data + b"\r\n" + data)
    assert framer.next_message() == data
    assert framer.next_message() == data
    assert framer.next_message() is None
    assert bytes(parse_message(data, stream=True)) == data


@pytest.mark.parametrize("name", INVALID)
def test_invalid_raises_typed_parse_error(name: str) -> None:
    case = MANIFEST["invalid"][name]
    data = read("invalid", name)
    kwargs: dict[str, Any] = {}
    if "max_size" in case:
        kwargs["max_size"] = case["max_size"]
    if case.get("stream"):
        kwargs["stream"] = True
    with pytest.raises(ParseError) as info:
        msg = parse_message(data, **kwargs)
        view = case.get("view")
        assert view, f"{name} parsed, but the manifest names no view that should fail"
        getattr(msg, view)
    err = info.value
    assert err.kind == case["kind"], str(err)
    for where in ("line", "offset"):
        if where in case:
            assert getattr(err, where) == case[where], f"{where}: {err}"
    assert str(err)


@pytest.mark.parametrize("name", [n for n in INVALID if "view" in MANIFEST["invalid"][n]])
def test_view_cases_parse_lazily(name: str) -> None:
    """A broken value inside an otherwise well-formed message does not stop the parser: the message is
    kept (byte-exact) so a test can report what the DUT sent; the view says what is wrong."""
    data = read("invalid", name)
    assert bytes(parse_message(data)) == data
