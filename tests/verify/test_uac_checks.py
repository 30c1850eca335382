"""The UAC's checks in sipconform.verify, each on its own clause: a CANCEL with the wrong CSeq number breaks
RFC3261-9.1-2 only, one with the wrong method RFC3261-9.1-4 only; Timer E is judged on the cumulative
schedule, so one late datagram does not make the next gap look short."""

from __future__ import annotations

import pytest

from sipconform.sip import Request, Timers, ack_for_non2xx, cancel_for, parse_message, response_to
from sipconform.verify.ack import matches_the_invite_transaction, via_and_cseq
from sipconform.verify.cancel_request import copies_the_request, cseq_method_is_cancel, single_via
from sipconform.verify.reason import distinct_protocols, reason_values
from sipconform.verify.retransmission import schedule_problems

INVITE_LINES = (
    "INVITE sip:bob@biloxi.example.com SIP/2.0",
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport",
    "Max-Forwards: 70",
    "To: Bob <sip:bob@biloxi.example.com>",
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com",
    "CSeq: 314159 INVITE",
    "Contact: <sip:alice@pc33.atlanta.example.com>",
    "Content-Length: 0",
)
INVITE = parse_message(("\r\n".join(INVITE_LINES) + "\r\n\r\n").encode())
assert isinstance(INVITE, Request)


def test_a_wrong_cseq_number_is_9_1_2s_and_not_9_1_4s() -> None:
    cancel = cancel_for(INVITE).set_header("CSeq", "314160 CANCEL")
    assert "CSeq number 314160 differs from the INVITE's 314159" in copies_the_request(INVITE, cancel).text()
    assert cseq_method_is_cancel(cancel) == []


def test_a_wrong_cseq_method_is_9_1_4s_and_not_9_1_2s() -> None:
    cancel = cancel_for(INVITE).set_header("CSeq", "314159 cancel")
    assert not copies_the_request(INVITE, cancel)
    assert cseq_method_is_cancel(cancel) == ["the CSeq method is 'cancel' (CSeq '314159 cancel'), expected 'CANCEL'"]


def test_a_built_cancel_and_ack_keep_their_clauses() -> None:
    cancel = cancel_for(INVITE)
    assert not copies_the_request(INVITE, cancel) and cseq_method_is_cancel(cancel) == []
    assert not single_via(INVITE, cancel)
    ack = ack_for_non2xx(INVITE, response_to(INVITE, 487, to_tag="x"))
    assert not via_and_cseq(INVITE, ack) and matches_the_invite_transaction(INVITE, ack) == []


def test_a_second_via_in_the_cancel_is_named() -> None:
    cancel = cancel_for(INVITE).insert_header(1, "Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKextra")
    assert "not exactly one" in single_via(INVITE, cancel).text()


def test_reason_values_with_one_protocol_twice() -> None:
    values = ['SIP;cause=487;text="Hung up"', 'SIP;cause=200']
    assert [v.key for v in reason_values(values)] == ["SIP", "SIP"]
    assert reason_values(values)[0].param("text") == "Hung up"
    assert distinct_protocols(values) == [("two Reason values with protocol 'SIP': "
                                           "'SIP;cause=487;text=\"Hung up\"' and 'SIP;cause=200'")]
    assert distinct_protocols(['SIP;cause=487', 'Q.850;cause=16;text="Normal"']) == []


TIMERS = Timers(t1=0.1, t2=0.4)
TIMER_E = TIMERS.non_invite_intervals(4)  # 0.1, 0.2, 0.4, 0.4


@pytest.mark.parametrize("times", [
    [0.0, 0.1, 0.3, 0.7, 1.1],           # on time
    [0.0, 0.1, 0.48, 0.7, 1.1],           # one datagram 180 ms late: gaps 0.38 and 0.22 (for 0.2 and 0.4)
    [0.0, 0.09, 0.31, 0.69, 1.12],        # jitter both ways
], ids=["on-time", "one-late-datagram", "jitter"])
def test_a_schedule_kept_has_no_problem(times: list[float]) -> None:
    assert schedule_problems(times, TIMER_E, TIMERS, "Timer E") == []


def test_a_timer_e_never_doubled_is_named() -> None:
    problems = schedule_problems([0.0, 0.1, 0.2, 0.3, 0.4], TIMER_E, TIMERS, "Timer E")
    assert problems
    assert problems[0].startswith("transmission 4 came 0.300 s after the first; Timer E has it due at 0.7 s")
