"""Timer values (§17, Table 4) and retransmission interval sequences, as pure arithmetic."""

from __future__ import annotations

import itertools

import pytest

from sipconform.sip import Timers


@pytest.mark.parametrize(("t1", "t2", "t4"), [(0.5, 4.0, 5.0), (0.05, 0.4, 0.5), (1.0, 1.0, 2.0), (0.5, 0.5, 5.0)])
def test_table_4(t1: float, t2: float, t4: float) -> None:
    t = Timers(t1, t2, t4)
    assert (t.a, t.e, t.g) == (t1, t1, t1)
    assert (t.b, t.f, t.h, t.j) == (64 * t1,) * 4
    assert t.d == 64 * t1
    assert (t.i, t.k) == (t4, t4)


def test_defaults_are_the_rfc_values() -> None:
    t = Timers()
    assert (t.t1, t.t2, t.t4) == (0.5, 4.0, 5.0)
    assert t.b == 32.0


@pytest.mark.parametrize(("t1", "t2", "t4"), [(0, 4, 5), (-1, 4, 5), (0.5, 0.4, 5), (0.5, 4, 0)])
def test_bad_values_are_refused(t1: float, t2: float, t4: float) -> None:
    with pytest.raises(ValueError):
        Timers(t1, t2, t4)


def test_invite_retransmits_double_until_timer_b() -> None:
    """§17.1.1.2: Timer A starts at T1 and doubles; retransmissions stop when Timer B (64*T1) fires.
    With T1 = 500 ms: sends at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; B fires at 32 s."""
    assert list(Timers().invite_retransmits()) == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0]
    sends = list(itertools.accumulate(Timers().invite_retransmits(), initial=0.0))
    assert sends == [0.0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5]


@pytest.mark.parametrize("t1", [0.01, 0.05, 0.1, 0.5, 2.0])
def test_invite_retransmits_scale_with_t1(t1: float) -> None:
    t = Timers(t1, max(4.0, t1), 5.0)
    intervals = list(t.invite_retransmits())
    assert intervals == pytest.approx([t1 * 2**k for k in range(6)])
    assert sum(intervals) < t.b  # the last retransmission is before Timer B


def test_invite_retransmits_ignore_t2() -> None:
    """INVITE requests are not capped at T2 (only non-INVITE requests and INVITE responses are)."""
    assert max(Timers(0.5, 0.5, 5.0).invite_retransmits()) == 16.0


def test_non_invite_retransmits_are_capped_at_t2() -> None:
    """§17.1.2.2: Timer E doubles from T1 up to T2, then stays at T2, until Timer F (64*T1)."""
    intervals = list(Timers().non_invite_retransmits())
    assert intervals == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    sends = list(itertools.accumulate(intervals, initial=0.0))
    assert sends[-1] == 31.5 and len(sends) == 11


@pytest.mark.parametrize(("t1", "t2"), [(0.5, 4.0), (0.1, 0.3), (0.5, 0.5), (0.05, 4.0)])
def test_non_invite_properties(t1: float, t2: float) -> None:
    t = Timers(t1, t2, 5.0)
    intervals = list(t.non_invite_retransmits())
    assert intervals[0] == t1
    assert max(intervals) <= t2
    assert all(b == min(2 * a, t2) for a, b in zip(intervals, intervals[1:], strict=False))
    assert sum(intervals) < t.f <= sum(intervals) + intervals[-1] + t2


def test_response_retransmits_capped_at_t2_until_timer_h() -> None:
    """§17.2.1: Timer G doubles from T1, capped at T2, until Timer H (64*T1)."""
    intervals = list(Timers().response_retransmits())
    assert intervals == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    assert sum(intervals) < Timers().h


def test_named_windows_scale_with_t1() -> None:
    slow, fast = Timers(0.5, 4.0, 5.0), Timers(0.1, 4.0, 5.0)
    assert (slow.settle, slow.immediately, slow.ack, slow.dialog_teardown) == (1.0, 2.0, 4.0, 8.0)
    assert fast.immediately == pytest.approx(0.4)
    assert slow.quiet == 5.0 and fast.quiet == 1.0  # 10*T1, at least a second


def test_timer_e_schedule() -> None:
    t = Timers(0.5, 4.0, 5.0)
    assert t.non_invite_intervals(6) == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert t.timer_e_reaches_t2 == 3.5  # RFC 4320 §4.1: T1 + 2*T1 + 4*T1
    assert Timers(0.1, 4.0, 5.0).timer_e_reaches_t2 == pytest.approx(6.3)
    assert t.transmissions(3) == 1.5 and t.transmissions(6, cap=t.t2) == 0.5 + 1 + 2 + 4 + 4
    assert t.tolerance(1.0) == 2.0
