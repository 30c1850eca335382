"""Small helpers of the faulty UAC (``faulty.uac``)."""

from __future__ import annotations


def short_timer_d(timers: dict[str, float]):  # noqa: ANN201
    """The "short-timer-d" fault's timers: Timer D of 24*T1 instead of at least 32 s (64*T1 here): long enough for
    RFC3261-17.1.1.2-2's copies (12*T1 and 4*T1 for the ACK), too short for RFC6026-8.4-1's last (60*T1)."""
    from sipconform.sip import Timers

    class ShortTimerD(Timers):
        @property
        def d(self) -> float:
            return 24 * self.t1

    return ShortTimerD(**timers)


def address(uri: str) -> tuple[str, int]:
    from sipconform.sip import SipUri

    u = SipUri.parse(uri)
    return u.host.strip("[]"), u.port or 5060


def address_of(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def dns_client():  # noqa: ANN201
    from faulty import dns_client

    return dns_client
