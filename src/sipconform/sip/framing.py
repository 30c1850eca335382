"""Stream framing (§7.5, §18.3): cut a TCP byte stream into messages by Content-Length.

Sans-IO: feed bytes in, take whole messages out. Several messages in one read, one message over many
reads, and the CRLF keep-alives of RFC 5626 §3.5.1 between messages are all handled.
"""

from __future__ import annotations

import re

from sipconform.sip.errors import ParseError
from sipconform.sip.grammar import parse_number
from sipconform.sip.parse import DEFAULT_MAX_SIZE, split_head

__all__ = ["StreamFramer"]

# A Content-Length field (long or compact form, any case, §7.3.3) with its continuation lines (§7.3.1).
_CONTENT_LENGTH = re.compile(rb"^(?:content-length|l)[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)", re.I | re.M)


class StreamFramer:
    """Accumulates stream bytes; ``next_message()`` returns one whole message's bytes, or None.

    After a ``ParseError`` the stream cannot be framed any more (§18.3 leaves closing the connection
    as the only way out); the bytes stay in ``pending`` for the report.
    """

    def __init__(self, max_size: int = DEFAULT_MAX_SIZE) -> None:
        self.max_size = max_size
        self._buffer = bytearray()
        self._scanned = 0    # how far the search for the end of the head has got, so as not to rescan
        self._end: int | None = None  # where the message at the front ends, once its head is known
        self.keepalives = 0  # CRLF / CRLFCRLF pings seen between messages

    def feed(self, data: bytes) -> None:
        self._buffer += data

    @property
    def pending(self) -> bytes:
        """Bytes received but not yet part of a whole message."""
        return bytes(self._buffer)

    def next_message(self) -> bytes | None:
        """The next whole message; raises ``ParseError`` when the stream cannot be framed.

        Each call costs what the new bytes cost: the search for the empty line resumes where it
        stopped, and once the head is known its end is kept while the body comes in.
        """
        end = self._end
        if end is None:
            end = self._find_end()
            if end is None:
                return None
            self._end = end
        if len(self._buffer) < end:
            return None
        message = bytes(self._buffer[:end])
        del self._buffer[:end]
        self._scanned, self._end = 0, None
        return message

    def _find_end(self) -> int | None:
        self._skip_keepalives()
        if not self._buffer:
            return None
        # The head ends at "\n\r\n" or "\n\n": resume the search a few bytes before where it stopped.
        cut = split_head(self._buffer, max(0, self._scanned - 2))
        if cut is None:
            self._scanned = len(self._buffer)
            if len(self._buffer) > self.max_size:
                raise ParseError("too-large", f"header section exceeds {self.max_size} bytes")
            return None
        blank_start, body_start = cut
        self._scanned = blank_start - 1
        end = body_start + self._content_length(self._buffer, blank_start)
        if end > self.max_size:
            raise ParseError("too-large", f"message of {end} bytes exceeds the limit of {self.max_size} bytes")
        return end

    @staticmethod
    def _content_length(buffer: bytearray, head_end: int) -> int:
        """§18.3: "In the case of stream-oriented transports such as TCP, the Content-Length header
        field indicates the size of the body. The Content-Length header field MUST be used with stream
        oriented transports." Several fields must agree."""
        found = _CONTENT_LENGTH.findall(buffer, 0, head_end)
        if not found:
            raise ParseError("content-length", "no Content-Length on a stream transport (§18.3, §20.14)")
        # The value with its folding and LWS gone (bytes.strip also takes the CR of each line).
        lengths = {parse_number(value.strip().decode("ascii", "replace"), kind="content-length",
                                what="Content-Length", max_digits=18) for value in found}
        if len(lengths) != 1:
            raise ParseError("content-length", f"conflicting Content-Length values on a stream: {sorted(lengths)}")
        return lengths.pop()

    def _skip_keepalives(self) -> None:
        """§7.5: "Implementations processing SIP messages over stream-oriented transports MUST ignore
        any CRLF appearing before the start-line." """
        i = 0
        buf = self._buffer
        while i < len(buf) and buf[i] in (0x0D, 0x0A):
            i += 1
        if i:
            self.keepalives += 1
            del buf[:i]
            self._scanned = 0
