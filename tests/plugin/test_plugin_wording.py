"""Verdict messages about the DUT, not about the test's peers."""

from __future__ import annotations

from sipconform.plugin.wording import in_dut_terms


def test_a_timed_out_wait_is_said_about_the_dut() -> None:
    assert in_dut_terms("sipconform.peer.inbox.NoMessage: peer: expected a response to INVITE within 6.4 s; got "
                        "nothing. Unconsumed: [SIP/2.0 200 OK].") == (
        "the DUT sent no response to INVITE within 6.4 s (its other messages: [SIP/2.0 200 OK]).")
    assert in_dut_terms("NoMessage: peer3: expected a final response to CANCEL within 32 s; the client transaction "
                        "timed out (non-INVITE client transaction (§17.1.2) for CANCEL sip:dut@h SIP/2.0: Timer F "
                        "fired). Unconsumed: [].") == (
        "the DUT sent no final response to CANCEL within 32 s (Timer F fired) (at the test's peer3).")


def test_a_wrong_answer_and_an_unwanted_message_are_said_about_the_dut() -> None:
    assert in_dut_terms("NoMessage: peer: expected 487 to INVITE within 6.4 s; got 'SIP/2.0 200 OK' instead. "
                        "Unconsumed: [].") == "the DUT did not send 487 to INVITE: got 'SIP/2.0 200 OK' instead."
    assert in_dut_terms("UnexpectedMessage: peer: expected no message for 0.4 s; got 'SIP/2.0 487 Request "
                        "Terminated' at +0.103 s from 127.0.0.1:5060") == (
        "no message may come from the DUT for 0.4 s, but it sent one: got 'SIP/2.0 487 Request Terminated' at "
        "+0.103 s from 127.0.0.1:5060")


def test_inside_a_precondition_and_elsewhere_the_rest_is_kept() -> None:
    text = ("precondition not reached: the DUT rings: NoMessage: peer: expected a response to INVITE within 32 s; "
            "got nothing. Unconsumed: [].")
    assert in_dut_terms(text) == ("precondition not reached: the DUT rings: the DUT sent no response to INVITE "
                                  "within 32 s.")
    assert in_dut_terms("the DUT answered the CANCEL 481") == "the DUT answered the CANCEL 481"
