"""What a peer received, the inbox ``expect_*`` take from, and the errors a test sees.

``NoMessage`` (an ``AssertionError``) is raised when an expected message did not come in time;
``PeerError`` (an ``AssertionError``) by ``check()`` when the remote sent input that could not be
parsed or framed. Both name what was expected and list what came instead, with no traceback from the
I/O path: bad input is data, recorded when it arrives and reported when the test asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from sipconform.peer.transport import Address, Connection
from sipconform.sip.errors import ParseError
from sipconform.sip.message import Message

__all__ = ["Inbox", "NoMessage", "PeerError", "Received", "UnexpectedMessage", "describe"]

_SHOWN = 8
_RAW_SHOWN = 200


class NoMessage(AssertionError):
    """An ``expect_*`` deadline passed without a matching message (or the awaited one can no longer come)."""


class UnexpectedMessage(AssertionError):
    """``expect_nothing``: a matching message arrived inside the window."""


class PeerError(AssertionError):
    """The remote sent input that could not be parsed or framed (surfaced by ``SipPeer.check()``)."""


@dataclass(frozen=True)
class Received:
    """One message (or unparseable input) as received: bytes, where from, on which connection, when."""

    message: Message | None
    error: ParseError | None
    raw: bytes
    source: Address
    transport: str
    connection: Connection | None
    time: float                      # seconds since the test started
    seq: int

    @property
    def first_line(self) -> str:
        return self.message.start_line if self.message is not None else f"unparseable ({self.error})"

    def describe_error(self) -> str:
        where = f"{self.transport.upper()} from {self.source[0]}:{self.source[1]} at +{self.time:.3f} s"
        shown = self.raw[:_RAW_SHOWN]
        more = f" ... ({len(self.raw)} bytes)" if len(self.raw) > _RAW_SHOWN else f" ({len(self.raw)} bytes)"
        return f"{where}: {self.error}\n    raw: {shown!r}{more}"


class Inbox:
    """Messages passed up to the test and not yet taken, in arrival order."""

    def __init__(self) -> None:
        self._items: list[Received] = []

    def __iter__(self) -> Iterator[Received]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: Received) -> None:
        self._items.append(item)

    def find(self, match: Callable[[Message], bool], *, after: int = -1) -> Received | None:
        """The first item with ``seq > after`` whose message satisfies ``match``."""
        for item in self._items:
            if item.seq > after and item.message is not None and match(item.message):
                return item
        return None

    def take(self, item: Received) -> Message:
        self._items.remove(item)
        assert item.message is not None
        return item.message

    def clear(self) -> None:
        self._items.clear()

    def summary(self) -> str:
        return describe([i.message for i in self._items if i.message is not None])


def describe(messages: list[Message]) -> str:
    """``[SIP/2.0 100 Trying, INVITE sip:...]``: first lines, at most a few."""
    lines = [m.start_line for m in messages[:_SHOWN]]
    if len(messages) > _SHOWN:
        lines.append(f"... {len(messages) - _SHOWN} more")
    return "[" + ", ".join(lines) + "]"
