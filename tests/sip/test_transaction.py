"""The §17 transaction tables, driven by a FakeClock: no sockets, no real time."""

from __future__ import annotations

from itertools import accumulate

import pytest

from sipconform.peer.clock import FakeClock
from sipconform.sip.build import request, response_to
from sipconform.sip.message import Request, Response
from sipconform.sip.timers import Timers
from sipconform.sip.transaction import (
    INVITE_CLIENT, INVITE_SERVER, NON_INVITE_CLIENT, NON_INVITE_SERVER, Absorb, Action, ClientTransaction,
    Deliver, Machine, Send, ServerTransaction, State, Terminated, Timeout, Timer, TransactionError, TransportFailure,
)

T = Timers(t1=0.5, t2=4.0, t4=5.0)


def make_request(method: str = "INVITE", branch: str = "z9hG4bK-1") -> Request:
    return request(method, "sip:dut@192.0.2.1", [
        ("Via", f"SIP/2.0/UDP 192.0.2.9:5060;branch={branch}"), ("Max-Forwards", "70"),
        ("From", "<sip:peer@192.0.2.9>;tag=f1"), ("To", "<sip:dut@192.0.2.1>"), ("Call-ID", "c1@192.0.2.9"),
        ("CSeq", f"1 {method}"),
    ])


def answer(req: Request, status: int, tag: str | None = "t1") -> Response:
    return response_to(req, status, to_tag=tag)


def drive(tx: ServerTransaction | ClientTransaction, clock: FakeClock, until: float) -> list[tuple[float, Action]]:
    """Fire the transaction's timers in order up to ``until``; (time, action) for each action."""
    out: list[tuple[float, Action]] = []
    for _ in range(1000):
        deadline = tx.next_deadline()
        if deadline is None or deadline > until:
            break
        clock.advance(deadline - clock.now())
        out += [(clock.now(), a) for a in tx.advance(clock.now())]
    return out


def send_times(events: list[tuple[float, Action]]) -> list[float]:
    return [t for t, a in events if isinstance(a, Send)]


@pytest.mark.parametrize("machine", [INVITE_CLIENT, NON_INVITE_CLIENT, INVITE_SERVER, NON_INVITE_SERVER],
                         ids=lambda m: m.name.split(" (")[0])
def test_tables_only_fire_timers_that_live_in_the_state(machine: Machine) -> None:
    """Data sanity: a timer row exists only where the state keeps that timer running."""
    for state, row in machine.transitions.items():
        for event in row:
            if isinstance(event, Timer):
                assert event in machine.timers.get(state, frozenset()), (state, event)
    assert State.TERMINATED not in machine.transitions


# -- INVITE client (§17.1.1) ---------------------------------------------------------------------------------
def test_invite_client_udp_retransmits_at_t1_doubling_and_times_out_at_timer_b() -> None:
    clock = FakeClock()
    tx = ClientTransaction(make_request(), timers=T)
    assert [type(a) for a in tx.start(clock.now())] == [Send]
    events = drive(tx, clock, until=10 * T.b)
    retransmits = send_times(events)
    assert retransmits == pytest.approx(list(accumulate(T.invite_retransmits())))
    assert retransmits[:3] == pytest.approx([T.t1, 3 * T.t1, 7 * T.t1])  # intervals T1, 2*T1, 4*T1
    assert all(a.retransmission for _, a in events if isinstance(a, Send))
    t_out, timeout = next((t, a) for t, a in events if isinstance(a, Timeout))
    assert timeout.timer is Timer.B and t_out == pytest.approx(T.b)
    assert isinstance(events[-1][1], Terminated) and tx.state is State.TERMINATED


def test_invite_client_tcp_never_retransmits_but_times_out() -> None:
    clock = FakeClock()
    tx = ClientTransaction(make_request(), timers=T, reliable=True)
    tx.start(0.0)
    events = drive(tx, clock, until=10 * T.b)
    assert send_times(events) == []
    assert [(round(t, 6), type(a)) for t, a in events] == [(T.b, Timeout), (T.b, Terminated)]


def test_invite_client_retransmit_false_sends_once() -> None:
    tx = ClientTransaction(make_request(), timers=T, retransmit=False)
    tx.start(0.0)
    assert send_times(drive(tx, FakeClock(), until=10 * T.b)) == []


def test_invite_client_provisional_stops_retransmission_and_timer_b() -> None:
    inv = make_request()
    tx = ClientTransaction(inv, timers=T)
    tx.start(0.0)
    assert tx.receive(answer(inv, 180), 0.1) == [Deliver(answer(inv, 180))]
    assert tx.state is State.PROCEEDING and tx.next_deadline() is None


def test_invite_client_acks_non_2xx_final_itself() -> None:
    """§17.1.1.3: ACK with the INVITE's Request-URI, Call-ID, From, CSeq number, top Via; To of the response."""
    inv = make_request()
    tx = ClientTransaction(inv, timers=T)
    tx.start(0.0)
    tx.receive(answer(inv, 180), 0.1)
    final = answer(inv, 487)
    actions = tx.receive(final, 0.2)
    send, deliver = actions
    assert isinstance(send, Send) and deliver == Deliver(final)
    ack = send.message
    assert isinstance(ack, Request) and ack.method == "ACK" and ack.uri == inv.uri
    assert [v.text for v in ack.vias] == [inv.top_via.text]
    assert (ack.call_id, ack.from_.text, ack.to.tag) == (inv.call_id, inv.from_.text, "t1")
    assert (ack.cseq.number, ack.cseq.method) == (1, "ACK")
    assert tx.state is State.COMPLETED and tx.next_deadline() == pytest.approx(0.2 + T.d)
    # "Any retransmissions of the final response ... MUST cause the ACK to be re-passed"
    again = tx.receive(final, 0.3)
    assert again == [Send(ack, retransmission=True), Absorb(final)]
    assert [type(a) for _, a in drive(tx, FakeClock(0.3), until=1000)] == [Terminated]


def test_invite_client_auto_ack_off_leaves_the_ack_to_the_test() -> None:
    inv = make_request()
    tx = ClientTransaction(inv, timers=T, auto_ack=False)
    tx.start(0.0)
    assert [type(a) for a in tx.receive(answer(inv, 486), 0.1)] == [Deliver]
    assert [type(a) for a in tx.receive(answer(inv, 486), 0.2)] == [Absorb]


def test_invite_client_tcp_timer_d_is_zero() -> None:
    inv = make_request()
    tx = ClientTransaction(inv, timers=T, reliable=True)
    tx.start(0.0)
    assert [type(a) for a in tx.receive(answer(inv, 487), 0.1)] == [Send, Deliver, Terminated]


def test_invite_client_2xx_accepted_absorbs_retransmissions_until_timer_m() -> None:
    """RFC 6026 §8.4: 2xx -> Accepted; a fork's 2xx (new To tag) is passed up; Timer M = 64*T1."""
    inv = make_request()
    tx = ClientTransaction(inv, timers=T)
    tx.start(0.0)
    ok = answer(inv, 200)
    assert tx.receive(ok, 0.1) == [Deliver(ok)] and tx.state is State.ACCEPTED
    assert tx.receive(ok, 0.6) == [Absorb(ok)]
    fork = answer(inv, 200, tag="t2")
    assert tx.receive(fork, 0.7) == [Deliver(fork)]
    assert tx.next_deadline() == pytest.approx(0.1 + 64 * T.t1)


def test_invite_client_illegal_input_raises_and_keeps_state() -> None:
    inv = make_request()
    tx = ClientTransaction(inv, timers=T)
    tx.start(0.0)
    tx.receive(answer(inv, 487), 0.1)
    with pytest.raises(TransactionError, match="Completed"):
        tx.receive(answer(inv, 200), 0.2)
    assert tx.state is State.COMPLETED
    with pytest.raises(TransactionError, match="does not match"):
        tx.receive(answer(make_request(branch="z9hG4bK-other"), 487), 0.2)
    with pytest.raises(TransactionError):
        ClientTransaction(make_request("ACK"), timers=T)


# -- non-INVITE client (§17.1.2) -----------------------------------------------------------------------------
def test_non_invite_client_udp_doubles_capped_at_t2_and_times_out_at_timer_f() -> None:
    clock = FakeClock()
    tx = ClientTransaction(make_request("OPTIONS"), timers=T)
    tx.start(0.0)
    events = drive(tx, clock, until=10 * T.f)
    sends = send_times(events)
    intervals = [b - a for a, b in zip([0.0, *sends], sends, strict=False)]
    assert intervals == pytest.approx(list(T.non_invite_retransmits()))
    assert intervals[:5] == pytest.approx([0.5, 1.0, 2.0, 4.0, 4.0])  # MIN(2*previous, T2)
    assert [(round(t, 6), a.timer) for t, a in events if isinstance(a, Timeout)] == [(T.f, Timer.F)]


def test_non_invite_client_proceeding_retransmits_every_t2() -> None:
    """§17.1.2.2: in Proceeding, Timer E "MUST be reset with a value of T2 seconds"."""
    req = make_request("CANCEL")
    clock = FakeClock()
    tx = ClientTransaction(req, timers=T)
    tx.start(0.0)
    drive(tx, clock, until=T.t1)                      # first retransmission at T1, E now 2*T1
    tx.receive(answer(req, 100, tag=None), clock.now())
    sends = send_times(drive(tx, clock, until=T.t1 + 4 * T.t2))
    assert [b - a for a, b in zip(sends, sends[1:], strict=False)] == pytest.approx([T.t2] * (len(sends) - 1))
    assert sends[0] == pytest.approx(3 * T.t1)        # the E armed in Trying (2*T1) still runs


def test_non_invite_client_completed_absorbs_then_timer_k() -> None:
    req = make_request("CANCEL")
    tx = ClientTransaction(req, timers=T)
    tx.start(0.0)
    ok = answer(req, 200)
    assert tx.receive(ok, 0.1) == [Deliver(ok)]
    assert tx.receive(ok, 0.2) == [Absorb(ok)]
    assert tx.next_deadline() == pytest.approx(0.1 + T.k)
    reliable = ClientTransaction(req, timers=T, reliable=True)
    reliable.start(0.0)
    assert reliable.receive(ok, 0.1) == [Deliver(ok), Terminated()]  # Timer K = 0 on TCP


# -- INVITE server (§17.2.1) ---------------------------------------------------------------------------------
def test_invite_server_retransmits_487_per_timer_g_until_ack_then_timer_i() -> None:
    inv = make_request()
    clock = FakeClock()
    tx = ServerTransaction(inv, timers=T)
    assert tx.start(0.0) == [Deliver(inv)] and tx.state is State.PROCEEDING
    final = answer(inv, 487)
    assert tx.respond(final, 0.0) == [Send(final)]
    events = drive(tx, clock, until=6 * T.t1 + T.t2)
    sends = send_times(events)
    gaps = [b - a for a, b in zip([0.0, *sends], sends, strict=False)]
    assert gaps == pytest.approx([0.5, 1.0, 2.0, 4.0][:len(sends)])
    assert all(isinstance(a, Send) and a.message == final for _, a in events)
    ack = request("ACK", inv.uri, [(h.name, h.value) for h in inv.headers if h.key != "cseq"] + [("CSeq", "1 ACK")])
    acked = clock.now()
    assert tx.receive(ack, acked) == [Deliver(ack)]
    assert tx.state is State.CONFIRMED  # type: ignore[comparison-overlap]  # mypy keeps the narrowed state
    assert tx.receive(ack, acked) == [Absorb(ack)]
    rest = drive(tx, clock, until=1000)
    assert [type(a) for _, a in rest] == [Terminated] and rest[0][0] == pytest.approx(acked + T.i)  # Timer I = T4
    assert tx.next_deadline() is None


def test_invite_server_without_ack_times_out_at_timer_h() -> None:
    inv = make_request()
    tx = ServerTransaction(inv, timers=T)
    tx.start(0.0)
    tx.respond(answer(inv, 486), 0.0)
    events = drive(tx, FakeClock(), until=1000)
    assert [(round(t, 6), a.timer) for t, a in events if isinstance(a, Timeout)] == [(T.h, Timer.H)]


def test_invite_server_absorbs_request_retransmissions_by_resending_the_last_response() -> None:
    inv = make_request()
    tx = ServerTransaction(inv, timers=T)
    tx.start(0.0)
    assert tx.receive(inv, 0.1) == [Absorb(inv)]                      # nothing sent yet
    ringing = answer(inv, 180)
    tx.respond(ringing, 0.2)
    assert tx.receive(inv, 0.3) == [Send(ringing, retransmission=True), Absorb(inv)]
    final = answer(inv, 487)
    tx.respond(final, 0.4)
    assert tx.receive(inv, 0.5) == [Send(final, retransmission=True), Absorb(inv)]


def test_invite_server_tcp_sends_final_once_and_timer_i_is_zero() -> None:
    inv = make_request()
    tx = ServerTransaction(inv, timers=T, reliable=True)
    tx.start(0.0)
    tx.respond(answer(inv, 487), 0.0)
    assert tx.next_deadline() == pytest.approx(T.h)                   # H runs for all transports; no G
    ack = request("ACK", inv.uri, [("Via", inv.top_via.text), ("CSeq", "1 ACK")])
    assert [type(a) for a in tx.receive(ack, 0.1)] == [Deliver, Terminated]


def test_invite_server_2xx_retransmitted_until_ack_even_over_tcp() -> None:
    """§13.3.1.4 (folded into RFC 6026's Accepted): 2xx at T1, 2*T1 ... T2 "independent of ... transport"."""
    inv = make_request()
    clock = FakeClock()
    tx = ServerTransaction(inv, timers=T, reliable=True)
    tx.start(0.0)
    ok = answer(inv, 200)
    tx.respond(ok, 0.0)
    assert tx.state is State.ACCEPTED
    assert send_times(drive(tx, clock, until=3.5 * T.t1)) == pytest.approx([T.t1, 3 * T.t1])
    ack = request("ACK", inv.uri, [("Via", "SIP/2.0/TCP 192.0.2.9;branch=z9hG4bK-ack"), ("CSeq", "1 ACK")])
    assert tx.receive(ack, clock.now()) == [Deliver(ack)]
    assert tx.receive(inv, clock.now()) == [Absorb(inv)]              # RFC 6026 §7.1
    assert [type(a) for _, a in drive(tx, clock, until=1000)] == [Terminated]


def test_invite_server_accepted_survives_a_transport_error() -> None:
    """RFC 6026 §7.1: a transport error while re-sending the 2xx leaves the transaction "Accepted"."""
    inv = make_request()
    tx = ServerTransaction(inv, timers=T, reliable=True)
    tx.start(0.0)
    tx.respond(answer(inv, 200), 0.0)
    assert [type(a) for a in tx.transport_error(T.t1 / 2)] == [TransportFailure]
    assert tx.state is State.ACCEPTED and tx.receive(inv, T.t1 / 2) == [Absorb(inv)]


@pytest.mark.parametrize("final", [None, 487])
def test_invite_server_survives_a_transport_error_in_its_state(final: int | None) -> None:
    """RFC 6026 §7.1: "the associated INVITE server transaction state machine MUST remain in its current
    state" ("Proceeding", "Completed"), absorbing a retransmitted INVITE; Timer H still ends "Completed"."""
    inv = make_request()
    tx = ServerTransaction(inv, timers=T, reliable=True)
    tx.start(0.0)
    tx.respond(answer(inv, 180 if final is None else final), 0.0)
    state = tx.state
    assert [type(a) for a in tx.transport_error(T.t1 / 2)] == [TransportFailure]
    assert tx.state is state and not tx.terminated
    assert [type(a) for a in tx.receive(inv, T.t1)][-1] is Absorb


def test_invite_server_respond_retransmit_false_disables_timer_g() -> None:
    inv = make_request()
    tx = ServerTransaction(inv, timers=T)
    tx.start(0.0)
    tx.respond(answer(inv, 487), 0.0, retransmit=False)
    assert send_times(drive(tx, FakeClock(), until=1000)) == []


def test_invite_server_send_trying() -> None:
    inv = make_request()
    tx = ServerTransaction(inv, timers=T, send_trying=True)
    actions = tx.start(0.0)
    deliver, send = actions
    assert deliver == Deliver(inv) and isinstance(send, Send)
    assert isinstance(send.message, Response) and send.message.status == 100


# -- non-INVITE server (§17.2.2) -----------------------------------------------------------------------------
def test_non_invite_server_absorbs_and_resends_final_until_timer_j() -> None:
    req = make_request("CANCEL")
    tx = ServerTransaction(req, timers=T)
    tx.start(0.0)
    assert tx.receive(req, 0.1) == [Absorb(req)]                      # Trying: discarded
    ok = answer(req, 200)
    assert tx.respond(ok, 0.2) == [Send(ok)]
    assert tx.receive(req, 0.3) == [Send(ok, retransmission=True), Absorb(req)]
    with pytest.raises(TransactionError, match="Completed"):       # "MUST be discarded"
        tx.respond(answer(req, 500), 0.4)
    assert tx.state is State.COMPLETED and tx.last_response == ok
    assert tx.next_deadline() == pytest.approx(0.2 + T.j)
    reliable = ServerTransaction(req, timers=T, reliable=True)
    reliable.start(0.0)
    assert reliable.respond(ok, 0.0) == [Send(ok), Terminated()]      # Timer J = 0 on TCP


def test_server_transaction_refuses_ack_and_double_start() -> None:
    with pytest.raises(TransactionError):
        ServerTransaction(make_request("ACK"), timers=T)
    tx = ServerTransaction(make_request("OPTIONS"), timers=T)
    tx.start(0.0)
    with pytest.raises(TransactionError, match="already started"):
        tx.start(0.1)
