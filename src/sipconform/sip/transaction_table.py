"""The shared machinery of the §17 transaction state machines: states, events, timers, table type.

Rule 1 (after h11): every transition lives in a table (``Machine.transitions``), as data; the
``Transaction`` class here only interprets it. Rule 2: this module knows no sockets and no clock:
time comes in as ``now`` and what to do goes out as ``Action`` values.

Each row of a table reads like the RFC's figure: ``state -> {event: (next state, ops)}``. Ops are
carried out in order. Leaving a state stops every timer not listed for the next state in
``Machine.timers``. An event the table has no entry for is illegal: it raises
``TransactionError`` and leaves the transaction unchanged.

Timer values come from a ``Timers`` instance only. On a reliable transport (TCP) Timers A, E and G
are never started and D, I, J, K are zero (§17.1.1.2, §17.1.2.2, §17.2.1, §17.2.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Mapping, Union

from sipconform.sip.errors import SipError
from sipconform.sip.message import Message, Request
from sipconform.sip.timers import Timers

__all__ = [
    "Absorb", "Action", "Arm", "Deliver", "Do", "Event", "Machine", "Op", "Send", "State", "Stop", "Terminated",
    "Timeout", "Timer", "Transaction", "TransactionError", "TransportFailure", "Transition",
]


class TransactionError(SipError):
    """Input the state machine has no transition for (the transaction is left unchanged)."""


class State(Enum):
    """Transaction states of Figures 5-8 (§17), plus "Accepted" of RFC 6026 §7.1 / §8.4."""

    CALLING = "Calling"
    TRYING = "Trying"
    PROCEEDING = "Proceeding"
    COMPLETED = "Completed"
    CONFIRMED = "Confirmed"
    ACCEPTED = "Accepted"
    TERMINATED = "Terminated"


class Event(Enum):
    """Inputs other than timers. Timers fire as their ``Timer`` member."""

    RECV_1XX = "1xx received"
    RECV_2XX = "2xx received"
    RECV_2XX_AGAIN = "2xx received again (same To tag)"
    RECV_FINAL = "300-699 received"
    RETRANSMISSION = "request retransmission received"
    ACK = "ACK received"
    ACK_AGAIN = "ACK retransmission received"
    TU_1XX = "1xx from TU"
    TU_2XX = "2xx from TU"
    TU_FINAL = "300-699 from TU"
    TRANSPORT_ERROR = "transport error"


class Timer(Enum):
    """The timers of Table 4 (§17, Appendix A) and L, M of RFC 6026 §8.11."""

    A = "A"
    B = "B"
    D = "D"
    E = "E"
    F = "F"
    G = "G"
    H = "H"
    I = "I"  # noqa: E741 - the RFC's name
    J = "J"
    K = "K"
    L = "L"
    M = "M"


class Do(Enum):
    """Things a transition does besides arming timers."""

    SEND_REQUEST = "pass the request to the transport"
    RESEND_REQUEST = "retransmit the request"
    SEND_ACK = "send the ACK for the non-2xx final (§17.1.1.3)"
    RESEND_ACK = "re-send that ACK"
    SEND_RESPONSE = "pass the TU's response to the transport"
    RESEND_RESPONSE = "retransmit the most recent response"
    DELIVER = "pass the message to the TU"
    ABSORB = "absorb the message"
    TIMEOUT = "inform the TU of a timeout"
    REPORT_ERROR = "inform the TU of a transport error"


@dataclass(frozen=True)
class Arm:
    """Start (or, after it fired, restart with its next interval) a timer.

    ``at_t2``: restart with exactly T2 (Timer E in Proceeding, §17.1.2.2). ``even_reliable``: run
    on a reliable transport too (the 2xx retransmission of §13.3.1.4 is end to end).
    """

    timer: Timer
    at_t2: bool = False
    even_reliable: bool = False


@dataclass(frozen=True)
class Stop:
    timer: Timer


Op = Union[Do, Arm, Stop]
Transition = tuple[State, tuple[Op, ...]]


@dataclass(frozen=True)
class Machine:
    """One transaction state machine as data: what the creating event does, then the transitions."""

    name: str
    initial: Transition
    transitions: Mapping[State, Mapping[Event | Timer, Transition]]
    timers: Mapping[State, frozenset[Timer]]


# -- actions: what the caller (the peer) must do --------------------------------------------------
@dataclass(frozen=True)
class Send:
    """Pass ``message`` to the transport (to the transaction's destination)."""

    message: Message
    retransmission: bool = False


@dataclass(frozen=True)
class Deliver:
    """Pass ``message`` up to the TU (the test's inbox)."""

    message: Message


@dataclass(frozen=True)
class Absorb:
    """``message`` was a retransmission the transaction absorbed; the TU does not see it."""

    message: Message


@dataclass(frozen=True)
class Timeout:
    """``timer`` fired: the transaction gave up (Timer B, F or H)."""

    timer: Timer


@dataclass(frozen=True)
class TransportFailure:
    """The transport reported a fatal error; the transaction is over."""


@dataclass(frozen=True)
class Terminated:
    """The transaction reached "Terminated"; forget it."""


Action = Union[Send, Deliver, Absorb, Timeout, TransportFailure, Terminated]

_RETRANSMIT_TIMERS = frozenset({Timer.A, Timer.E, Timer.G})
_MAX_FIRINGS = 64  # per advance(): far more than any table can chain at one instant


class Transaction:
    """Interprets a ``Machine``. Subclasses classify messages into events and build messages."""

    machine: Machine

    def __init__(self, request: Request, *, timers: Timers, reliable: bool = False, retransmit: bool = True) -> None:
        self.request = request
        self.timers = timers
        self.reliable = reliable
        self.retransmit = retransmit
        self.state = self.machine.initial[0]
        self.started = False
        self._deadlines: dict[Timer, float] = {}
        self._intervals: dict[Timer, float] = {}
        self._message: Message | None = None  # the message the current event carries
        self._timer: Timer | None = None      # the timer that fired, if that is the event

    def __repr__(self) -> str:
        return f"<{self.machine.name} {self.request.method} {self.state.value}>"

    @property
    def terminated(self) -> bool:
        return self.state is State.TERMINATED

    def next_deadline(self) -> float | None:
        """When ``advance`` next has something to do, or None."""
        return min(self._deadlines.values(), default=None)

    def advance(self, now: float) -> list[Action]:
        """Fire every timer due at ``now``, earliest first."""
        actions: list[Action] = []
        for _ in range(_MAX_FIRINGS):
            due = [(at, t) for t, at in self._deadlines.items() if at <= now]
            if not due:
                break
            at, timer = min(due, key=lambda pair: pair[0])
            del self._deadlines[timer]
            row = self.machine.transitions.get(self.state, {})
            if timer in row:
                actions += self._apply(row[timer], at, None, timer)
        return actions

    def stop_timers(self) -> None:
        """Stop every running timer, whatever the table says (a self-test device breaking §17 on purpose)."""
        self._deadlines.clear()

    @property
    def accepts_transport_error(self) -> bool:
        """Whether the current state has a transport-error transition (§17.2.1 "Confirmed" has none: the
        failed send is only logged)."""
        return self.started and Event.TRANSPORT_ERROR in self.machine.transitions.get(self.state, {})

    def transport_error(self, now: float) -> list[Action]:
        """§17.1.1.2, §17.1.2.2, §17.2.2: a transport failure ends the transaction; an INVITE server
        transaction stays in its state (RFC 6026 §7.1)."""
        return self._handle(Event.TRANSPORT_ERROR, now, None)

    # -- the interpreter -----------------------------------------------------------------------------
    def _begin(self, now: float, message: Message | None) -> list[Action]:
        if self.started:
            raise TransactionError(f"{self.machine.name}: already started")
        self.started = True
        return self._apply(self.machine.initial, now, message) + self.advance(now)

    def _handle(self, event: Event, now: float, message: Message | None) -> list[Action]:
        row = self.machine.transitions.get(self.state, {})
        if not self.started or event not in row:
            raise TransactionError(f"{self.machine.name} in state {self.state.value}: "
                                   f"no transition for {event.value}" + (f" ({_first_line(message)})" if message else ""))
        return self._apply(row[event], now, message) + self.advance(now)

    def _apply(self, transition: Transition, now: float, message: Message | None,
               timer: Timer | None = None) -> list[Action]:
        new_state, ops = transition
        self._message, self._timer = message, timer
        actions: list[Action] = []
        for op in ops:
            if isinstance(op, Arm):
                self._arm(op, now)
            elif isinstance(op, Stop):
                self._deadlines.pop(op.timer, None)
            else:
                actions += self._do(op)
        if new_state is not self.state:
            live = self.machine.timers.get(new_state, frozenset())
            self._deadlines = {t: at for t, at in self._deadlines.items() if t in live}
        self.state = new_state
        if new_state is State.TERMINATED:
            self._deadlines.clear()
            actions.append(Terminated())
        return actions

    def _arm(self, op: Arm, now: float) -> None:
        t = self.timers
        if op.timer in _RETRANSMIT_TIMERS:
            if not self.retransmit or (self.reliable and not op.even_reliable):
                return  # §17.1.1.2, §17.1.2.2, §17.2.1: not started on a reliable transport
            previous = self._intervals.get(op.timer)
            if op.at_t2:
                interval = t.t2
            elif previous is None:
                interval = {Timer.A: t.a, Timer.E: t.e, Timer.G: t.g}[op.timer]
            elif op.timer is Timer.A:
                interval = 2 * previous                   # §17.1.1.2: A doubles, no cap
            else:
                interval = min(2 * previous, t.t2)        # §17.1.2.2 (E), §17.2.1 (G): capped at T2
            self._intervals[op.timer] = interval
        else:
            interval = self._duration(op.timer)
        self._deadlines[op.timer] = now + interval

    def _duration(self, timer: Timer) -> float:
        t = self.timers
        reliable_zero = {Timer.D: t.d, Timer.I: t.i, Timer.J: t.j, Timer.K: t.k}
        if timer in reliable_zero:
            return 0.0 if self.reliable else reliable_zero[timer]
        # RFC 6026 §8.11: Timer L and Timer M are 64*T1, the values of Timer H and Timer B.
        return {Timer.B: t.b, Timer.F: t.f, Timer.H: t.h, Timer.L: t.h, Timer.M: t.b}[timer]

    def _do(self, op: Do) -> list[Action]:
        if op is Do.DELIVER and self._message is not None:
            return [Deliver(self._message)]
        if op is Do.ABSORB and self._message is not None:
            return [Absorb(self._message)]
        if op is Do.TIMEOUT and self._timer is not None:
            return [Timeout(self._timer)]
        if op is Do.REPORT_ERROR:
            return [TransportFailure()]
        return self._send(op)

    def _send(self, op: Do) -> list[Action]:
        """The sending ops, which need the subclass's messages."""
        raise NotImplementedError  # pragma: no cover - subclasses


def _first_line(message: Message) -> str:
    return message.start_line[:80]
