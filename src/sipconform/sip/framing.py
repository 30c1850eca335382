"""Stream framing (§18.3): cut a TCP byte stream into messages by Content-Length.

Sans-IO: feed bytes in, take whole messages out. Several messages in one read, one message over many
reads, and the CRLF keep-alives of RFC 5626 §3.5.1 between messages are all handled.
"""

from __future__ import annotations

import re

from sipconform.sip.errors import ParseError
from sipconform.sip.parse import DEFAULT_MAX_SIZE, split_head

__all__ = ["StreamFramer"]

_CONTENT_LENGTH = re.compile(rb"^(?:content-length|l)[ \t]*:[ \t]*(\S*)[ \t]*\r?$", re.I | re.M)


class StreamFramer:
    """Accumulates stream bytes; ``next_message()`` returns one whole message's bytes, or None."""

    def __init__(self, max_size: int = DEFAULT_MAX_SIZE) -> None:
        self.max_size = max_size
        self._buffer = bytearray()
        self.keepalives = 0  # CRLF / CRLFCRLF pings seen between messages

    def feed(self, data: bytes) -> None:
        self._buffer += data

    @property
    def pending(self) -> bytes:
        """Bytes received but not yet part of a whole message."""
        return bytes(self._buffer)

    def next_message(self) -> bytes | None:
        """The next whole message; raises ``ParseError`` when the stream cannot be framed."""
        self._skip_keepalives()
        if not self._buffer:
            return None
        cut = split_head(self._buffer)
        if cut is None:
            if len(self._buffer) > self.max_size:
                raise ParseError("too-large", f"header section exceeds {self.max_size} bytes")
            return None
        blank_start, body_start = cut
        matches = _CONTENT_LENGTH.findall(bytes(self._buffer[:blank_start]))
        if not matches:
            raise ParseError("content-length", "no Content-Length on a stream transport (§18.3, §20.14)")
        if len(set(matches)) != 1 or not matches[0].isdigit():
            shown = b", ".join(matches).decode("ascii", "replace")
            raise ParseError("content-length", f"unusable Content-Length on a stream: {shown!r}")
        end = body_start + int(matches[0])
        if end > self.max_size:
            raise ParseError("too-large", f"message of {end} bytes exceeds the limit of {self.max_size} bytes")
        if len(self._buffer) < end:
            return None
        message = bytes(self._buffer[:end])
        del self._buffer[:end]
        return message

    def _skip_keepalives(self) -> None:
        i = 0
        buf = self._buffer
        while i < len(buf) and buf[i] in (0x0D, 0x0A):
            i += 1
        if i:
            self.keepalives += 1
            del buf[:i]
