"""Server transactions: INVITE (§17.2.1, Figure 7) and non-INVITE (§17.2.2, Figure 8), as tables.

The INVITE server transaction has the "Accepted" state of RFC 6026 §7.1 (absorbs INVITE
retransmissions after a 2xx) and its transport-error rows (Figure 2: the machine stays in its state, so
that a retransmitted INVITE is still absorbed; its timers end it). The UAS core's 2xx retransmission until
ACK (§13.3.1.4: "starts at T1 seconds and doubles ... until it reaches T2 ... independent of whatever
transport") is folded into that state as Timer G, so a test that answers 200 gets it for free; the ACK for
the 2xx is fed to this transaction by the peer (it matches the dialog, not the branch).

Deviation, for a tester: the first ACK for a non-2xx final is also passed up (``Deliver``), so a test
can assert the DUT sent it; ACK retransmissions are absorbed as §17.2.1 says.
"""

from __future__ import annotations

from sipconform.sip.build import response_to
from sipconform.sip.message import Request, Response
from sipconform.sip.timers import Timers
from sipconform.sip.transaction_table import (
    Action, Arm, Do, Event, Machine, Send, State, Stop, Timer, Transaction, TransactionError,
)

__all__ = ["INVITE_SERVER", "NON_INVITE_SERVER", "ServerTransaction"]

TR, P, X, CF, A, T = (State.TRYING, State.PROCEEDING, State.COMPLETED, State.CONFIRMED, State.ACCEPTED,
                      State.TERMINATED)

INVITE_SERVER = Machine(
    name="INVITE server transaction (§17.2.1)",
    initial=(P, (Do.DELIVER,)),  # "the server transaction ... MUST enter the "Proceeding" state"
    transitions={
        P: {
            # "If a request retransmission is received while in the "Proceeding" state, the most
            # recent provisional response that was received from the TU MUST be passed to the
            # transport layer for retransmission."
            Event.RETRANSMISSION: (P, (Do.RESEND_RESPONSE, Do.ABSORB)),
            Event.TU_1XX: (P, (Do.SEND_RESPONSE,)),
            Event.TU_2XX: (A, (Do.SEND_RESPONSE, Arm(Timer.G, even_reliable=True), Arm(Timer.L))),
            # "For unreliable transports, timer G is set to fire in T1 seconds"; "timer H MUST be set
            # to fire in 64*T1 seconds for all transports"
            Event.TU_FINAL: (X, (Do.SEND_RESPONSE, Arm(Timer.G), Arm(Timer.H))),
            # RFC 6026 §7.1 (replacing §17.2.1's transition to "Terminated"): on a transport error "the
            # associated INVITE server transaction state machine MUST remain in its current state"
            Event.TRANSPORT_ERROR: (P, (Do.REPORT_ERROR,)),
        },
        X: {
            Event.RETRANSMISSION: (X, (Do.RESEND_RESPONSE, Do.ABSORB)),
            Timer.G: (X, (Do.RESEND_RESPONSE, Arm(Timer.G))),      # "reset ... MIN(2*T1, T2)"
            Timer.H: (T, (Do.TIMEOUT,)),                          # "the transaction ... never received an ACK"
            Event.ACK: (CF, (Do.DELIVER, Arm(Timer.I))),          # "Timer I ... T4 ... zero for reliable"
            Event.TRANSPORT_ERROR: (X, (Do.REPORT_ERROR,)),       # RFC 6026 §7.1: Timer H ends it
        },
        CF: {
            # "absorb any additional ACK messages that arrive"; an INVITE retransmission overtaken by
            # its ACK is absorbed as well (the RFC is silent; delivering it would look like a new call).
            Event.ACK: (CF, (Do.ABSORB,)),
            Event.ACK_AGAIN: (CF, (Do.ABSORB,)),
            Event.RETRANSMISSION: (CF, (Do.ABSORB,)),
            Timer.I: (T, ()),
        },
        A: {
            Event.RETRANSMISSION: (A, (Do.ABSORB,)),               # RFC 6026 §7.1
            Event.TU_2XX: (A, (Do.SEND_RESPONSE,)),                # "MUST be passed to the transport layer"
            Timer.G: (A, (Do.RESEND_RESPONSE, Arm(Timer.G, even_reliable=True))),  # §13.3.1.4
            Event.ACK: (A, (Stop(Timer.G), Do.DELIVER)),           # "passed directly to the TU"
            Event.ACK_AGAIN: (A, (Do.ABSORB,)),
            Timer.L: (T, ()),
            # RFC 6026 §7.1: on a transport error "the associated INVITE server transaction state machine
            # MUST remain in its current state" (a 2xx re-sent over a connection the UAC has closed)
            Event.TRANSPORT_ERROR: (A, (Do.REPORT_ERROR,)),
        },
    },
    timers={X: frozenset({Timer.G, Timer.H}), CF: frozenset({Timer.I}), A: frozenset({Timer.G, Timer.L})},
)

NON_INVITE_SERVER = Machine(
    name="non-INVITE server transaction (§17.2.2)",
    initial=(TR, (Do.DELIVER,)),
    transitions={
        TR: {
            # "any retransmissions of the request received while in the "Trying" state MUST be discarded"
            Event.RETRANSMISSION: (TR, (Do.ABSORB,)),
            Event.TU_1XX: (P, (Do.SEND_RESPONSE,)),
            Event.TU_2XX: (X, (Do.SEND_RESPONSE, Arm(Timer.J))),
            Event.TU_FINAL: (X, (Do.SEND_RESPONSE, Arm(Timer.J))),
            Event.TRANSPORT_ERROR: (T, (Do.REPORT_ERROR,)),
        },
        P: {
            Event.RETRANSMISSION: (P, (Do.RESEND_RESPONSE, Do.ABSORB)),
            Event.TU_1XX: (P, (Do.SEND_RESPONSE,)),
            Event.TU_2XX: (X, (Do.SEND_RESPONSE, Arm(Timer.J))),
            Event.TU_FINAL: (X, (Do.SEND_RESPONSE, Arm(Timer.J))),
            Event.TRANSPORT_ERROR: (T, (Do.REPORT_ERROR,)),
        },
        X: {
            # "any other final responses passed by the TU ... MUST be discarded": no TU_* row here.
            Event.RETRANSMISSION: (X, (Do.RESEND_RESPONSE, Do.ABSORB)),
            Timer.J: (T, ()),
            Event.TRANSPORT_ERROR: (T, (Do.REPORT_ERROR,)),
        },
    },
    timers={X: frozenset({Timer.J})},
)

del TR, P, X, CF, A, T


class ServerTransaction(Transaction):
    """A server transaction created by ``request`` (INVITE table for INVITE, else non-INVITE).

    ``retransmit=False`` never starts Timer G (a test breaking §17.2.1 on purpose). ``send_trying``
    makes an INVITE transaction answer 100 at once (§17.2.1: MUST, unless the TU answers within
    200 ms; a scripted test is that TU, so it is off by default).
    """

    def __init__(self, request: Request, *, timers: Timers, reliable: bool = False, retransmit: bool = True,
                 send_trying: bool = False) -> None:
        if request.method in ("ACK",):
            raise TransactionError("ACK does not create a server transaction (§17.2)")
        self.machine = INVITE_SERVER if request.method == "INVITE" else NON_INVITE_SERVER
        super().__init__(request, timers=timers, reliable=reliable, retransmit=retransmit)
        self.send_trying = send_trying and request.method == "INVITE"
        self.last_response: Response | None = None
        self.ack: Request | None = None
        self._pending: Response | None = None

    def start(self, now: float) -> list[Action]:
        """The request arrived and created this transaction: pass it up (and 100 if asked)."""
        actions = self._begin(now, self.request)
        if self.send_trying:
            actions += self.respond(response_to(self.request, 100), now)
        return actions

    def receive(self, request: Request, now: float) -> list[Action]:
        """A retransmission of the request, or an ACK, matched this transaction (§17.2.3)."""
        if request.method == "ACK":
            again = self.ack is not None and request.top_via.branch == self.ack.top_via.branch
            actions = self._handle(Event.ACK_AGAIN if again else Event.ACK, now, request)
            self.ack = self.ack or request
            return actions
        return self._handle(Event.RETRANSMISSION, now, request)

    def respond(self, response: Response, now: float, *, retransmit: bool | None = None) -> list[Action]:
        """The TU passes ``response``. ``retransmit`` overrides the transaction's setting from now on."""
        if retransmit is not None:
            self.retransmit = retransmit
        status = response.status
        event = Event.TU_1XX if status < 200 else Event.TU_2XX if status < 300 else Event.TU_FINAL
        self._pending = response
        try:
            return self._handle(event, now, response)
        finally:
            self._pending = None

    def _send(self, op: Do) -> list[Action]:
        if op is Do.SEND_RESPONSE and self._pending is not None:
            self.last_response = self._pending
            return [Send(self._pending)]
        if op is Do.RESEND_RESPONSE and self.last_response is not None:
            return [Send(self.last_response, retransmission=True)]
        return []
