"""The I/O edge: the controllable SIP peer, its sockets, clock, reactor and wire log."""

from sipconform.peer.clock import Clock, FakeClock, MonotonicClock
from sipconform.peer.core import SendError
from sipconform.peer.ids import IdSource
from sipconform.peer.inbox import NoMessage, PeerError, Received, UnexpectedMessage
from sipconform.peer.peer import SipPeer
from sipconform.peer.reactor import Reactor
from sipconform.peer.transport import Address, Connection, TcpTransport, UdpTransport
from sipconform.peer.wirelog import WireLog, WireRecord, merge, render_records

__all__ = [
    "Address", "Clock", "Connection", "FakeClock", "IdSource", "MonotonicClock", "NoMessage", "PeerError", "Reactor",
    "Received", "SendError", "SipPeer", "TcpTransport", "UdpTransport", "UnexpectedMessage", "WireLog", "WireRecord",
    "merge", "render_records",
]
