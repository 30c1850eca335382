"""Sans-IO SIP transactions (§17): state machines as tables; events and ``now`` in, actions out.

    tx = ClientTransaction(invite, timers=Timers(t1=0.5), reliable=False)
    actions = tx.start(now)            # [Send(invite)]
    actions = tx.advance(now + 0.5)    # Timer A: [Send(invite, retransmission=True)]
    actions = tx.receive(resp, now)    # [Deliver(resp)] / [Send(ack), Deliver(resp)] / [Absorb(resp)]
    tx.next_deadline()                 # when to call advance() next, or None

The tables are in ``transaction_client`` (Figures 5, 6) and ``transaction_server`` (Figures 7, 8);
the interpreter and the shared types in ``transaction_table``.
"""

from __future__ import annotations

from sipconform.sip.transaction_client import INVITE_CLIENT, NON_INVITE_CLIENT, ClientTransaction
from sipconform.sip.transaction_server import INVITE_SERVER, NON_INVITE_SERVER, ServerTransaction
from sipconform.sip.transaction_table import (
    Absorb, Action, Arm, Deliver, Do, Event, Machine, Send, State, Stop, Terminated, Timeout, Timer, Transaction,
    TransactionError, TransportFailure,
)

__all__ = [
    "INVITE_CLIENT", "INVITE_SERVER", "NON_INVITE_CLIENT", "NON_INVITE_SERVER", "Absorb", "Action", "Arm",
    "ClientTransaction", "Deliver", "Do", "Event", "Machine", "Send", "ServerTransaction", "State", "Stop",
    "Terminated", "Timeout", "Timer", "Transaction", "TransactionError", "TransportFailure",
]
