"""``StreamFramer`` (§7.5, §18.3): messages cut out of a TCP byte stream by Content-Length."""

from __future__ import annotations

import pytest

from sipconform.sip import ParseError, StreamFramer, parse_message


def msg(n: int, body: bytes = b"", length_header: str = "Content-Length") -> bytes:
    head = (f"OPTIONS sip:bob@biloxi.example.com SIP/2.0\r\n"
            f"Via: SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bK{n}\r\n"
            f"Max-Forwards: 70\r\nTo: <sip:bob@biloxi.example.com>\r\n"
            f"From: <sip:alice@atlanta.example.com>;tag={n}\r\nCall-ID: call-{n}\r\nCSeq: {n} OPTIONS\r\n"
            f"{length_header}: {len(body)}\r\n\r\n")
    return head.encode() + body


def drain(framer: StreamFramer) -> list[bytes]:
    out = []
    while (m := framer.next_message()) is not None:
        out.append(m)
    return out


def test_several_messages_in_one_read() -> None:
    messages = [msg(1), msg(2, b"body two"), msg(3, b"\r\n\r\nblank lines in body\r\n\r\n")]
    framer = StreamFramer()
    framer.feed(b"".join(messages))
    assert drain(framer) == messages
    assert framer.pending == b""


def test_one_message_byte_by_byte() -> None:
    data = msg(7, b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n")
    framer = StreamFramer()
    got = []
    for i in range(len(data)):
        framer.feed(data[i:i + 1])
        got += drain(framer)
        if i < len(data) - 1:
            assert got == []
    assert got == [data]


@pytest.mark.parametrize("keepalive", [b"\r\n", b"\r\n\r\n", b"\n", b"\r\n\r\n\r\n"])
def test_keepalives_between_messages(keepalive: bytes) -> None:
    """RFC 5626 §3.5.1 pings (CRLFCRLF) and pongs (CRLF); §7.5: CRLFs before a start line are ignored."""
    framer = StreamFramer()
    framer.feed(keepalive + msg(1) + keepalive + msg(2) + keepalive)
    assert drain(framer) == [msg(1), msg(2)]
    assert framer.keepalives == 3
    assert framer.pending == b""


def test_keepalive_alone() -> None:
    framer = StreamFramer()
    framer.feed(b"\r\n\r\n")
    assert framer.next_message() is None
    assert framer.keepalives == 1 and framer.pending == b""


def test_keepalive_split_across_reads() -> None:
    framer = StreamFramer()
    for chunk in (b"\r", b"\n\r", b"\n" + msg(1)[:10], msg(1)[10:]):
        framer.feed(chunk)
    assert drain(framer) == [msg(1)]


@pytest.mark.parametrize("spelling", ["Content-Length", "content-length", "CONTENT-LENGTH", "l", "L"])
def test_compact_and_any_case_content_length(spelling: str) -> None:
    framer = StreamFramer()
    data = msg(1, b"hello", length_header=spelling)
    framer.feed(data + msg(2))
    assert drain(framer) == [data, msg(2)]


def test_content_length_with_odd_whitespace_and_folding() -> None:
    data = msg(1, b"abc").replace(b"Content-Length: 3", b"Content-Length \t:\r\n  3  ")
    assert parse_message(data).content_length == 3
    framer = StreamFramer()
    framer.feed(data + msg(2))
    assert drain(framer) == [data, msg(2)]


def test_body_may_hold_what_looks_like_a_header() -> None:
    body = b"Content-Length: 999\r\n\r\n"
    framer = StreamFramer()
    framer.feed(msg(1, body) + msg(2))
    assert drain(framer) == [msg(1, body), msg(2)]


def test_lf_only_stream() -> None:
    data = msg(1, b"xyz").replace(b"\r\n", b"\n")
    framer = StreamFramer()
    framer.feed(data + data)
    assert drain(framer) == [data, data]


def test_message_waits_for_its_body() -> None:
    data = msg(1, b"0123456789")
    framer = StreamFramer()
    framer.feed(data[:-3])
    assert framer.next_message() is None
    assert framer.next_message() is None  # asking again changes nothing
    framer.feed(data[-3:])
    assert framer.next_message() == data


def test_missing_content_length_is_a_parse_error() -> None:
    framer = StreamFramer()
    framer.feed(msg(1).replace(b"Content-Length: 0\r\n", b""))
    with pytest.raises(ParseError) as info:
        framer.next_message()
    assert info.value.kind == "content-length"


@pytest.mark.parametrize("value", [b"abc", b"", b"-1", b"1 2", b"\xd9\xa3", b"9" * 5000])
def test_unusable_content_length(value: bytes) -> None:
    framer = StreamFramer()
    framer.feed(msg(1).replace(b"Content-Length: 0", b"Content-Length: " + value))
    with pytest.raises(ParseError) as info:
        framer.next_message()
    assert info.value.kind == "content-length"


def test_conflicting_content_lengths() -> None:
    framer = StreamFramer()
    framer.feed(msg(1).replace(b"Content-Length: 0\r\n", b"Content-Length: 0\r\nl: 5\r\n"))
    with pytest.raises(ParseError) as info:
        framer.next_message()
    assert info.value.kind == "content-length"


def test_repeated_equal_content_lengths_are_fine() -> None:
    data = msg(1, b"ab").replace(b"Content-Length: 2\r\n", b"Content-Length: 2\r\nl: 2\r\n")
    framer = StreamFramer()
    framer.feed(data)
    assert framer.next_message() == data


def test_huge_content_length_is_too_large_at_once() -> None:
    """No waiting for a gigabyte that will never be accepted."""
    framer = StreamFramer(max_size=4096)
    framer.feed(msg(1).replace(b"Content-Length: 0", b"Content-Length: 1000000000"))
    with pytest.raises(ParseError) as info:
        framer.next_message()
    assert info.value.kind == "too-large"


def test_endless_head_is_too_large() -> None:
    framer = StreamFramer(max_size=1024)
    framer.feed(b"OPTIONS sip:x SIP/2.0\r\n")
    for _ in range(100):
        framer.feed(b"X-Filler: " + b"f" * 20 + b"\r\n")
    with pytest.raises(ParseError) as info:
        framer.next_message()
    assert info.value.kind == "too-large"


def test_head_found_after_many_small_reads() -> None:
    """The search for the empty line resumes where it stopped, and still finds an end split as CR | LF."""
    data = msg(3, b"body")
    framer = StreamFramer()
    cut = data.index(b"\r\n\r\n") + 1
    for part in (data[:cut], data[cut:cut + 1], data[cut + 1:cut + 2], data[cut + 2:]):
        framer.feed(part)
        result = framer.next_message()
    assert result == data


def test_framed_messages_parse() -> None:
    framer = StreamFramer()
    framer.feed(msg(1, b"x") + b"\r\n\r\n" + msg(2))
    parsed = [parse_message(m, stream=True) for m in drain(framer)]
    assert [p.cseq.number for p in parsed] == [1, 2]


def test_byte_by_byte_costs_only_the_new_bytes() -> None:
    """A 12 kB head and a 50 kB body fed one byte at a time: each call must not rescan the head
    (that was seconds; it is milliseconds). The bound is loose on purpose."""
    import time

    body = b"b" * 50_000
    data = (b"OPTIONS sip:x SIP/2.0\r\n" + b"Subject: filler\r\n" * 700
            + b"Content-Length: %d\r\n\r\n" % len(body) + body)
    framer = StreamFramer(max_size=len(data))
    started = time.perf_counter()
    got = []
    for i in range(len(data)):
        framer.feed(data[i:i + 1])
        if (m := framer.next_message()) is not None:
            got.append(m)
    assert got == [data]
    assert time.perf_counter() - started < 3.0


def test_equal_lengths_written_differently_agree() -> None:
    data = msg(1, b"abcde").replace(b"Content-Length: 5\r\n", b"Content-Length: 05\r\nl:5\r\n")
    framer = StreamFramer()
    framer.feed(data)
    assert framer.next_message() == data
    assert parse_message(data, stream=True).content_length == 5
