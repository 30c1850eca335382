"""Client transactions: INVITE (§17.1.1, Figure 5) and non-INVITE (§17.1.2, Figure 6), as tables.

The INVITE client transaction has the "Accepted" state of RFC 6026 §8.4 instead of RFC 3261's
"Terminated on 2xx", so that 2xx retransmissions still match it.
"""

from __future__ import annotations

from sipconform.sip.build import ack_for_non2xx
from sipconform.sip.message import Request, Response
from sipconform.sip.timers import Timers
from sipconform.sip.transaction_table import (
    Action, Arm, Do, Event, Machine, Send, State, Timer, Transaction, TransactionError,
)

__all__ = ["INVITE_CLIENT", "NON_INVITE_CLIENT", "ClientTransaction"]

C, P, X, A, T = State.CALLING, State.PROCEEDING, State.COMPLETED, State.ACCEPTED, State.TERMINATED

INVITE_CLIENT = Machine(
    name="INVITE client transaction (§17.1.1)",
    # §17.1.1.2: pass the INVITE to the transport; over UDP start Timer A = T1; always Timer B = 64*T1.
    initial=(C, (Do.SEND_REQUEST, Arm(Timer.A), Arm(Timer.B))),
    transitions={
        C: {
            Timer.A: (C, (Do.RESEND_REQUEST, Arm(Timer.A))),       # "retransmit ... reset the timer with 2*T1"
            Timer.B: (T, (Do.TIMEOUT,)),                          # "inform the TU that a timeout has occurred"
            Event.RECV_1XX: (P, (Do.DELIVER,)),
            Event.RECV_2XX: (A, (Do.DELIVER, Arm(Timer.M))),      # RFC 6026 §8.4
            Event.RECV_FINAL: (X, (Do.SEND_ACK, Do.DELIVER, Arm(Timer.D))),
            Event.TRANSPORT_ERROR: (T, (Do.REPORT_ERROR,)),
        },
        P: {
            Event.RECV_1XX: (P, (Do.DELIVER,)),                   # "SHOULD NOT retransmit the request any longer"
            Event.RECV_2XX: (A, (Do.DELIVER, Arm(Timer.M))),
            Event.RECV_FINAL: (X, (Do.SEND_ACK, Do.DELIVER, Arm(Timer.D))),
            Event.TRANSPORT_ERROR: (T, (Do.REPORT_ERROR,)),
        },
        X: {
            # "Any retransmissions of the final response that are received while in the "Completed"
            # state MUST cause the ACK to be re-passed to the transport layer for retransmission,
            # but the newly received response MUST NOT be passed up to the TU."
            Event.RECV_FINAL: (X, (Do.RESEND_ACK, Do.ABSORB)),
            Timer.D: (T, ()),
            Event.TRANSPORT_ERROR: (T, (Do.REPORT_ERROR,)),
        },
        A: {
            # RFC 6026 §8.4: a 2xx in "Accepted" is passed to the TU. A copy of one already passed up
            # (same To tag) is a retransmission: absorbed here, and the peer (the UAC core) re-sends
            # its ACK for it (§13.2.2.4). A 2xx with a new To tag (a fork) is passed up.
            Event.RECV_2XX: (A, (Do.DELIVER,)),
            Event.RECV_2XX_AGAIN: (A, (Do.ABSORB,)),
            Timer.M: (T, ()),
        },
    },
    timers={C: frozenset({Timer.A, Timer.B}), X: frozenset({Timer.D}), A: frozenset({Timer.M})},
)

TR = State.TRYING
NON_INVITE_CLIENT = Machine(
    name="non-INVITE client transaction (§17.1.2)",
    # §17.1.2.2: Timer F = 64*T1; over UDP Timer E = T1.
    initial=(TR, (Do.SEND_REQUEST, Arm(Timer.E), Arm(Timer.F))),
    transitions={
        TR: {
            Timer.E: (TR, (Do.RESEND_REQUEST, Arm(Timer.E))),     # "reset with MIN(2*T1, T2)"
            Timer.F: (T, (Do.TIMEOUT,)),
            Event.RECV_1XX: (P, (Do.DELIVER,)),
            Event.RECV_2XX: (X, (Do.DELIVER, Arm(Timer.K))),
            Event.RECV_FINAL: (X, (Do.DELIVER, Arm(Timer.K))),
            Event.TRANSPORT_ERROR: (T, (Do.REPORT_ERROR,)),
        },
        P: {
            Timer.E: (P, (Do.RESEND_REQUEST, Arm(Timer.E, at_t2=True))),  # "reset with a value of T2"
            Timer.F: (T, (Do.TIMEOUT,)),
            Event.RECV_1XX: (P, (Do.DELIVER,)),
            Event.RECV_2XX: (X, (Do.DELIVER, Arm(Timer.K))),
            Event.RECV_FINAL: (X, (Do.DELIVER, Arm(Timer.K))),
            Event.TRANSPORT_ERROR: (T, (Do.REPORT_ERROR,)),
        },
        X: {
            # "The "Completed" state exists to buffer any additional response retransmissions"
            Event.RECV_2XX: (X, (Do.ABSORB,)),
            Event.RECV_2XX_AGAIN: (X, (Do.ABSORB,)),
            Event.RECV_FINAL: (X, (Do.ABSORB,)),
            Timer.K: (T, ()),
        },
    },
    timers={TR: frozenset({Timer.E, Timer.F}), P: frozenset({Timer.E, Timer.F}), X: frozenset({Timer.K})},
)

del C, P, X, A, T, TR


class ClientTransaction(Transaction):
    """A client transaction for ``request`` (INVITE table for INVITE, else non-INVITE).

    ``retransmit=False`` never starts Timer A/E (a test breaking §17.1 on purpose); ``auto_ack=False``
    makes the INVITE transaction leave the ACK for a non-2xx final to the test.
    """

    def __init__(self, request: Request, *, timers: Timers, reliable: bool = False, retransmit: bool = True,
                 auto_ack: bool = True) -> None:
        if request.method == "ACK":
            raise TransactionError("ACK does not start a client transaction (§17.1)")
        self.machine = INVITE_CLIENT if request.method == "INVITE" else NON_INVITE_CLIENT
        super().__init__(request, timers=timers, reliable=reliable, retransmit=retransmit)
        self.auto_ack = auto_ack
        self.ack: Request | None = None
        self.final: Response | None = None
        self._tags_2xx: set[str | None] = set()

    @property
    def key(self) -> tuple[str | None, str]:
        """What responses are matched on (§17.1.3): top Via branch and CSeq method."""
        return self.request.top_via.branch, self.request.cseq.method

    def matches(self, response: Response) -> bool:
        """§17.1.3: same branch as the request's top Via and same CSeq method."""
        return bool(response.vias) and (response.top_via.branch, response.cseq.method) == self.key

    def start(self, now: float) -> list[Action]:
        """The TU passes the request: send it and start the timers."""
        return self._begin(now, self.request)

    def receive(self, response: Response, now: float) -> list[Action]:
        """A response matching this transaction arrived."""
        if not self.matches(response):
            raise TransactionError(f"{self.machine.name}: response does not match (§17.1.3): {response.start_line}")
        status = response.status
        if status < 200:
            event = Event.RECV_1XX
        elif status < 300:
            tag = response.to.tag
            event = Event.RECV_2XX_AGAIN if tag in self._tags_2xx else Event.RECV_2XX
        else:
            event = Event.RECV_FINAL
        actions = self._handle(event, now, response)
        if status >= 200:
            self.final = self.final or response
        if 200 <= status < 300:
            self._tags_2xx.add(response.to.tag)
        return actions

    def _send(self, op: Do) -> list[Action]:
        if op is Do.SEND_REQUEST:
            return [Send(self.request)]
        if op is Do.RESEND_REQUEST:
            return [Send(self.request, retransmission=True)]
        if not self.auto_ack:
            return []
        if op is Do.SEND_ACK and isinstance(self._message, Response):
            self.ack = ack_for_non2xx(self.request, self._message)   # §17.1.1.3
            return [Send(self.ack)]
        if op is Do.RESEND_ACK and self.ack is not None:
            return [Send(self.ack, retransmission=True)]
        return []
