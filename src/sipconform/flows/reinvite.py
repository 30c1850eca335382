"""The DUT as UAS around a re-INVITE (RFC 6141): a confirmed dialog with the DUT, a re-INVITE with an SDP
offer whose answer the DUT sends in a reliable 18x (RFC 3262), PRACKed so that the change is executed
(RFC 6141 §3.3), and the CANCEL of that re-INVITE (§3.8).

Tests using it carry ``requires("reliable_provisional")`` (false: not-applicable). A DUT that answers the
re-INVITE at once, or never puts its answer in a reliable 18x, never
reaches the state the clauses are about: ``NotExecuted`` (a ``NoMessage``), for the module to call a
precondition.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import NoReturn

from sipconform.dut.profile import DutProfile
from sipconform.peer import NoMessage, SipPeer
from sipconform.flows.uac import sdp_answer
from sipconform.sip import Response

from .reliable import prack, rseq_of
from .uas import Call, ack_2xx, answered, await_final, end, is_final_to

__all__ = ["Dialog", "ExecutedReinvite", "NotExecuted", "cancel_executed_reinvite", "confirmed_dialog"]


class NotExecuted(NoMessage):
    """The re-INVITE never reached the state RFC 6141 §3.3 is about: its change executed, the re-INVITE pending."""

RELIABLE = [("Supported", "100rel"), ("Require", "100rel")]
"""RFC 3262 §4: the re-INVITE asks for reliable provisional responses."""


@dataclass
class Dialog:
    """A confirmed dialog the peer set up with the DUT, and the last CSeq number the peer used in it."""

    call: Call
    cseq: int

    def next_cseq(self) -> int:
        """§12.2.1.1: each new request in the dialog takes the next CSeq number."""
        self.cseq += 1
        return self.cseq


@dataclass
class ExecutedReinvite:
    """A re-INVITE whose change was executed and then cancelled: the reliable 18x with the SDP answer,
    the response to the CANCEL and the re-INVITE's final response."""

    reinvite: Call
    answer: Response
    cancel_response: Response
    final: Response


@contextmanager
def confirmed_dialog(peer: SipPeer, dut: DutProfile) -> Iterator[Dialog]:
    """INVITE with an SDP offer to the ``answer`` target, its 200 (with the answer), ACK: a confirmed
    dialog (§13.2.2.4), ended with BYE when the block ends, whatever happened in it."""
    call = answered(peer, dut, body=sdp_answer(peer))
    ack_2xx(call)
    dialog = Dialog(call, call.invite.cseq.number)
    try:
        yield dialog
    finally:
        with suppress(NoMessage):  # cleanup: the verdict is the block's, the BYE stays in the wire log
            end(call, cseq_number=dialog.next_cseq())


def cancel_executed_reinvite(peer: SipPeer, dut: DutProfile) -> ExecutedReinvite:
    """RFC 6141 §3.8 flow: in a confirmed dialog, a re-INVITE with an offer (Require: 100rel); the DUT's
    reliable 18x with the answer is PRACKed (the change is executed); then the re-INVITE is CANCELled.
    Returns what the DUT answered (the CANCEL's response whatever it is); a 2xx to the re-INVITE is ACKed, and
    the dialog ended with BYE."""
    with confirmed_dialog(peer, dut) as dialog:
        reinvite = send_reinvite(dialog)
        answer = reliable_answer(reinvite, dialog)
        executed(reinvite, answer, dialog)
        cancel_response = cancel_pending(reinvite)
        final = await_final(reinvite)
        if final.status < 300:
            ack_2xx(reinvite)
    return ExecutedReinvite(reinvite, answer, cancel_response, final)


def send_reinvite(dialog: Dialog) -> Call:
    """A re-INVITE in the dialog (§14.1) with a new SDP offer, asking for 100rel, sent to the remote target."""
    peer, final = dialog.call.peer, dialog.call.final
    if final is None:
        raise ValueError("send_reinvite needs the dialog's 2xx")
    request = peer.request("INVITE", in_dialog_of=final, cseq=dialog.next_cseq(), headers=RELIABLE,
                           body=sdp_answer(peer, version=2))
    peer.send(request, peer.source_of(final))
    return Call(peer, request)


def reliable_answer(reinvite: Call, dialog: Dialog) -> Response:
    """Wait for the DUT's reliable 18x carrying the SDP answer (a reliable one without a body is PRACKed on
    the way); a final response first: ``NotExecuted``; none of either within Timer B: ``NoMessage``."""
    while True:
        response = reinvite.peer.expect_response(reinvite.invite)
        reinvite.responses.append(response)
        if response.is_final:
            ended_early(reinvite, "answered the re-INVITE at once with {}, with no reliable 18x carrying the "
                                  "SDP answer first: no executed change to cancel")
        if rseq_of(response) is not None:
            if response.body:
                return response
            prack(reinvite, response, cseq=dialog.next_cseq())


def executed(reinvite: Call, answer: Response, dialog: Dialog) -> None:
    """PRACK the 18x with the answer (RFC 3262 §7.2): the offer/answer is complete, the change executed
    (RFC 6141 §3.3). The re-INVITE must still be pending: a final response already, or a PRACK refused, is
    ``NotExecuted``."""
    peer = reinvite.peer
    request = prack(reinvite, answer, cseq=dialog.next_cseq())
    response = peer.expect_response(request, final=True)
    if response.status >= 300:
        raise NotExecuted(f"the DUT answered the PRACK of its reliable 18x with the SDP answer {response.start_line!r}")
    if peer.arrivals(is_final_to(reinvite.invite)):
        ended_early(reinvite, "ended the re-INVITE with {} once its 18x was PRACKed, before any CANCEL: nothing "
                              "left to cancel")


def ended_early(reinvite: Call, what: str) -> NoReturn:
    """The re-INVITE got its final response before the CANCEL: ACK a 2xx (§13.2.2.4), then ``NotExecuted``
    saying ``what`` the DUT did (``{}``: that final response)."""
    final = await_final(reinvite)
    if final.status < 300:
        ack_2xx(reinvite)
    raise NotExecuted("the DUT " + what.format(repr(final.start_line)))


def cancel_pending(reinvite: Call) -> Response:
    """The CANCEL of the pending re-INVITE (§9.1), sent where the re-INVITE went; its final response."""
    request = reinvite.peer.cancel(reinvite.invite)
    response = reinvite.peer.expect_response(request, final=True)
    reinvite.cancel_response = response
    return response
