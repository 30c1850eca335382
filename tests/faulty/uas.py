"""A small, honest SIP UAS for the project's self-tests, and faulty variants of it that each break one clause.

Built on the project's own ``SipPeer`` and transaction tables (no kamailio): one UDP and one TCP peer on
the same port number share a ``Reactor``, pumped by a background thread of the device's own until
``stop()``. The TU on top does what RFC 3261 asks of a UAS, no more:

- INVITE to the ``[targets]`` users: ``ring`` -> 180 with a To tag, stays pending; ``trying`` -> 100
  only, stays pending; ``answer`` -> 200 (with Contact) at once, retransmitted until ACK (§13.3.1.4, the
  transaction's "Accepted" state); ``busy`` -> 486. Any other user -> 404.
- CANCEL (§9.2): matched with ``cancel_matches`` (§17.2.3, RFC 2543 fallback included). Pending INVITE:
  200 with the INVITE's To tag, then 487 on the INVITE (retransmitted over UDP until ACK, Timer G).
  Already answered: 200 and no effect. No match: 481. Unknown header fields, Require and Proxy-Require
  and Reason values are ignored (§8.2.2, §8.2.2.3, RFC 3326).
- BYE (§15.1.2): in an early dialog -> 200, and 487 on the pending INVITE; in a confirmed dialog -> 200;
  otherwise 481. ACK: taken. OPTIONS: 200. Anything else: 501.
- A call nobody cancels stops ringing after ``ring_timeout`` (480, as a phone's no-answer timer would),
  so tests that leave a call ringing leave no state behind; finished calls are forgotten after ``linger``.

A fault (``FAULTS``: name -> the clause it breaks, what it does) changes exactly one behaviour.
Use it in-process::

    with FaultyUas("no-487") as dut:            # .port, .profile_toml(), .write_profile(path)
        ...                                     # dut.errors: exceptions of the device's own code

SipPeer has no fixed-port bind and no "send this ready-made response through its transaction", which
a device and its faults need: ``_listen_tcp_on`` and ``FaultyUas._send`` reach into the peer's private
parts for that (a self-test may; the suite must not).

or as a process: ``python tests/faulty/uas.py --fault no-487 --port 0 [--profile out.toml]`` prints one
JSON line ``{"port": ..., "profile": ...}`` and runs until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sipconform.peer import Reactor, SendError, SipPeer, TcpTransport
from sipconform.peer.wirelog import merge, render_records
from sipconform.sip import Message, Request, Response, Timers, cancel_matches, response_to
from sipconform.sip.errors import SipError
from sipconform.sip.transaction import TransactionError
from sipconform.sip.via import SERVER_VIA_PARAMS

__all__ = ["FAULTS", "FaultyUas", "TARGETS", "TIMERS"]

Address = tuple[str, int]

TIMERS = Timers(t1=0.05, t2=0.4, t4=0.5)
"""Small timers: every 64*T1 wait of a self-test is 3.2 s."""

TARGETS = {"ring": "ring", "trying": "trying", "answer": "answer", "busy": "busy"}
"""``[targets]`` of the profile: behaviour -> Request-URI user (the same words)."""

FAULTS: dict[str, tuple[str, str]] = {
    # name: (the clause it breaks, what the device does wrong)
    "no-200-to-cancel": ("RFC3261-9.2-10", "ends the INVITE with 487, then answers its CANCEL 481 as if nothing matched"),
    "no-487": ("RFC3261-9.2-8", "answers the CANCEL 200 but ends the INVITE with 480 instead of 487"),
    "487-new-to-tag": ("RFC3261-8.2.6.2-3", "the 487 carries another To tag than the INVITE's 18x"),
    "cancel-200-other-to-tag": ("RFC3261-9.2-12", "the 200 (CANCEL) carries another To tag than the INVITE's responses"),
    "cancel-200-no-to-tag": ("RFC3261-8.2.6.2-2", "the 200 (CANCEL) has no To tag"),
    "cancel-200-bad-via": ("RFC3261-8.2.6.2-1", "the 200 (CANCEL) has another sent-by port in its Via"),
    "cancel-200-bad-call-id": ("RFC3261-8.2.6.2-1", "the 200 (CANCEL) has another Call-ID"),
    "487-drops-via": ("RFC3261-8.2.6.2-1", "the 487 keeps only the top Via of the INVITE"),
    "unmatched-cancel-200": ("RFC3261-9.2-6", "answers 200 (with no effect) to a CANCEL that matches nothing"),
    "match-on-call-id-only": ("RFC3261-9.2-1", "matches a CANCEL to the pending INVITE with its Call-ID, whatever else differs"),
    "match-ignores-branch": ("RFC3261-17.2.3-1", "matches a CANCEL on Call-ID, From tag, CSeq and sent-by, whatever its branch"),
    "match-ignores-sent-by": ("RFC3261-17.2.3-2", "matches a CANCEL on its branch alone, whatever its sent-by"),
    "no-rfc2543-matching": ("RFC3261-17.2.3-3", "a CANCEL without an RFC 3261 branch matches nothing (481)"),
    "cancel-after-final-487": ("RFC3261-9.2-7", "a CANCEL after the final response makes it send a 487 on the INVITE too"),
    "late-cancel-kills-dialog": ("RFC3261-9-1", "a CANCEL after the 200 tears the dialog down (a BYE then gets 481)"),
    "cancel-after-2xx-481": ("RFC6026-6-1", "destroys the INVITE transaction with its 2xx: a CANCEL after it gets 481"),
    "487-not-retransmitted": ("RFC3261-17.2.1-2", "sends the 487 once over UDP: no Timer G retransmissions"),
    "ack-does-not-stop-487": ("RFC3261-17.2.1-4", "goes on sending the 487 after its ACK"),
    "cancel-timer-j-short": ("RFC3261-17.2.2-2", "the CANCEL's server transaction lasts 4*T1, not 64*T1 (Timer J); a later "
                             "copy of the CANCEL is taken for a new one, for an INVITE already cancelled: 481"),
    "cancel-without-transaction": ("RFC3261-9.2-13", "answers a CANCEL around its server transaction: a retransmitted "
                                   "CANCEL gets no response"),
    "487-to-cancel": ("RFC3261-21.4.25-1", "answers every CANCEL 487"),
    "require-in-cancel-420": ("RFC3261-8.2.2.3-2", "answers a CANCEL with Require or Proxy-Require 420 (Bad Extension)"),
    "challenge-cancel": ("RFC3261-22.1-1", "answers every CANCEL 407 (Proxy Authentication Required)"),
    "180-to-cancel": ("RFC4320-4.1-1", "sends 180 to a CANCEL before its 200"),
    "cancel-not-allowed-405": ("RFC3261-13.1-1", "answers every CANCEL 405 (Method Not Allowed)"),
    "unknown-header-400": ("RFC3261-9.2-3", "answers a CANCEL with a header field it does not know 400"),
    "reason-400": ("RFC3326-2-5", "answers a CANCEL whose Reason protocol it does not know 400"),
    "bye-early-no-final": ("RFC3261-15.1.2-1", "answers a BYE in an early dialog 200 but never ends the pending INVITE"),
    "bye-early-480": ("RFC3261-15.1.2-1", "ends the INVITE pending under a BYE'd early dialog with 480, not 487"),
    "cancel-200-bad-cseq": ("RFC3261-9.2-11", "the 200 (CANCEL) carries the CANCEL's CSeq number plus one"),
    "options-cancelled-487": ("RFC3261-9.2-9", "a CANCEL for an answered OPTIONS makes it send a 487 to the OPTIONS"),
    "cancel-copy-481": ("RFC3261-17.2.2-1", "forgets the CANCEL's server transaction once answered: a copy of "
                        "the CANCEL is a new one, for an INVITE already cancelled: 481"),
    "cancel-merged-482": ("RFC3261-8.2.2.2-1", "a CANCEL matching no transaction but with an INVITE's From tag, "
                          "Call-ID and CSeq number is taken for a merged request: 482"),
    "slow-provisional": ("RFC3261-17.2.1-1", "sends the 180 (and no 100) 400 ms after the INVITE"),
    "cancel-leaves-invite-pending": ("RFC3261-28.1-2", "answers the CANCEL 200 but leaves the INVITE pending "
                                     "(until its no-answer timer)"),
    "100-to-cancel": ("RFC3261-8.2.6.1-1", "sends 100 Trying to a CANCEL before its 200"),
    "no-received": ("RFC3261-18.2.1-1", "adds no received parameter to the top Via (only fills in rport)"),
    "rport-not-filled": ("RFC3581-4-1", "leaves an empty rport empty (and adds received only when the sent-by "
                         "differs from the source)"),
    "response-to-source-port": ("RFC3261-18.2.2-2", "over UDP answers the source port, whatever the sent-by port"),
    "rport-ignored": ("RFC3581-4-2", "over UDP answers the sent-by port even when the Via has rport"),
    "cancel-200-on-invite-connection": ("RFC3261-18.2.2-1", "over TCP sends the 200 (CANCEL) on the INVITE's "
                                        "connection, not the CANCEL's"),
    "connection-close-cancels": ("RFC3261-28.1-1", "over TCP ends a pending INVITE with 487 once its connection "
                                 "closes (RFC 2543)"),
    "allow-without-cancel": ("RFC3261-20.5-1", "its Allow (in the 200 to OPTIONS) leaves CANCEL out, though it "
                             "handles CANCEL"),
    "na-header-400": ("RFC3261-20-2", "answers a CANCEL carrying a header field not applicable to CANCEL "
                      "(Contact, Expires, Subject, ...) 400"),
    "accepted-forgets-invite": ("RFC6026-7.1-1", "ends the INVITE server transaction with its 2xx: a retransmitted "
                                "INVITE is a new call (200 with another To tag)"),
    "expires-ignored": ("RFC3261-13.3.1-1", "lets an INVITE ring past its Expires"),
    "timer-h-long": ("RFC3261-17.2.1-3", "Timer H of the INVITE server transaction is 256*T1: an unACKed 487 "
                     "goes on being retransmitted past 64*T1"),
}

# Header fields Tables 2 and 3 mark not applicable ("-") to CANCEL, that the "na-header-400" device chokes on.
NOT_APPLICABLE_TO_CANCEL = frozenset({"contact", "expires", "subject", "priority", "organization", "accept",
                                      "alert-info", "in-reply-to"})

VIA_PARAMS_OF = {"no-received": ("rport",), "rport-not-filled": ("received",)}
"""The server-added Via parameters (``SERVER_VIA_PARAMS``) a fault leaves out."""

SLOW_PROVISIONAL_DELAY = 0.4
"""The "slow-provisional" device's delay before its 180: twice the 200 ms of §17.2.1."""

ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS"
# Header fields the "unknown-header-400" device knows; everything else in a CANCEL makes it choke.
KNOWN_HEADERS = frozenset({
    "via", "max-forwards", "from", "to", "call-id", "cseq", "content-length", "content-type", "route",
    "record-route", "contact", "require", "proxy-require", "supported", "reason", "user-agent", "allow",
    "accept", "timestamp", "date", "authorization", "proxy-authorization",
})
KNOWN_REASON_PROTOCOLS = frozenset({"sip", "q.850"})


@dataclass
class _Call:
    """An INVITE the device received, and what it did with it (the TU's view: its dialog, if any)."""

    peer: SipPeer
    invite: Request
    source: Address
    to_tag: str
    behaviour: str
    started: float
    final: int | None = None        # status of the final response sent to the INVITE
    response: Response | None = None  # that response
    ended_at: float | None = None
    dialog: bool = False            # a 2xx was sent and no BYE (nor fault) ended it since
    cancelled: bool = False         # a CANCEL ended it

    @property
    def pending(self) -> bool:
        return self.final is None

    def in_dialog(self, req: Request) -> bool:
        """Does ``req`` belong to this call's (early or confirmed) dialog (§12.2.2)?"""
        return (req.call_id == self.invite.call_id and req.from_.tag == self.invite.from_.tag
                and req.to.tag == self.to_tag)


def _listen_tcp_on(peer: SipPeer, port: int) -> None:
    """Move ``peer``'s TCP listener to ``port``, so that UDP and TCP share one port number as a profile says.

    SipPeer binds port 0 and has no option for a fixed one; this swaps the listening socket of its
    ``TcpTransport`` (private to the peer package: a self-test helper may lean on it, the suite must not).
    """
    transport = peer._t  # noqa: SLF001
    assert isinstance(transport, TcpTransport)
    sock = socket.socket(transport.family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((transport.address[0], port))
        sock.listen(16)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    transport.reactor.unregister(transport.listener)
    transport.listener.close()
    transport.listener = sock
    transport.address = (transport.address[0], sock.getsockname()[1])
    transport.reactor.register(sock, transport._on_accept)  # noqa: SLF001


class FaultyUas:
    """A UAS on ``host`` (UDP and TCP, one ephemeral port), conformant when ``fault`` is None.

    ``start()`` binds and starts the thread; ``stop()`` ends it within about one T1 and closes the
    sockets. ``errors`` lists tracebacks of the device's own code (a self-test asserts it stays empty);
    ``peer_errors`` what the SipPeer machinery raised while pumping; ``notes`` what the network did to it
    (a send refused because a test's peer was gone).
    """

    def __init__(self, fault: str | None = None, *, host: str = "127.0.0.1", timers: Timers = TIMERS,
                 targets: dict[str, str] | None = None, ring_timeout: float | None = None,
                 linger: float | None = None) -> None:
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        self.fault = fault
        self.host = host
        self.timers = timers
        self.targets = dict(targets or TARGETS)
        self._behaviour_of = {user: behaviour for behaviour, user in self.targets.items()}
        self.ring_timeout = ring_timeout if ring_timeout is not None else 192 * timers.t1
        self.linger = linger if linger is not None else 256 * timers.t1
        self.tick = timers.t1          # the longest the thread goes without looking at the stop flag
        self.name = f"faulty-{fault}" if fault else "conformant"
        self.errors: list[str] = []       # tracebacks of this device's own code: a self-test wants none
        self.peer_errors: list[str] = []  # raised by the SipPeer machinery while pumping (distinct texts)
        self.notes: list[str] = []        # what the network did (a send refused: the test's peer was gone)
        self.calls: list[_Call] = []
        self.answered_options: list[tuple[SipPeer, Request]] = []  # for the "options-cancelled-487" fault
        self.reactor: Reactor | None = None
        self.peers: list[SipPeer] = []
        self._later: list[tuple[float, Callable[[], object]]] = []  # (when, what): a fault's late sends
        self._stop = threading.Event()
        self._stopped = False
        self._thread: threading.Thread | None = None

    # -- life cycle ------------------------------------------------------------------------------------
    def __enter__(self) -> FaultyUas:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if not self.peers:
            raise RuntimeError("the device is not started")
        return self.peers[0].address[1]

    def start(self) -> FaultyUas:
        if self._thread is not None:
            raise RuntimeError("already started")
        self.reactor = Reactor()
        for _attempt in range(50):  # a TCP port equal to the free UDP one is nearly always free too
            via = {"via_params": VIA_PARAMS_OF.get(self.fault or "", SERVER_VIA_PARAMS),
                   "route_by_via": self.fault != "response-to-source-port"}
            udp = SipPeer("udp", timers=self.timers, host=self.host, reactor=self.reactor, name="dut-udp",
                          id_prefix=self.name, **via)
            tcp = SipPeer("tcp", timers=self.timers, host=self.host, reactor=self.reactor, name="dut-tcp",
                          id_prefix=self.name, **via)
            try:
                _listen_tcp_on(tcp, udp.address[1])
            except OSError:
                udp.close()
                tcp.close()
                continue
            self.peers = [udp, tcp]
            break
        else:
            raise OSError("no port number free for both UDP and TCP after 50 attempts")
        self._thread = threading.Thread(target=self._run, name=f"sip-{self.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (it looks at the flag at least every T1) and close the sockets (idempotent).

        Closing a ``SipPeer`` answers the INVITEs still pending 480 (the peer's own teardown)."""
        self._stop.set()
        if self._stopped:
            return
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self.errors.append(f"the device thread did not stop within {timeout} s")
                return
        self._stopped = True
        for peer in self.peers:
            peer.close()
        if self.reactor is not None:
            self.reactor.close()

    def request_stop(self) -> None:
        """Ask the thread to stop (safe from a signal handler); ``stop()`` then closes the sockets."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ``stop()`` was called (for the command line); True if it was."""
        return self._stop.wait(timeout)

    # -- profile ---------------------------------------------------------------------------------------
    def profile_toml(self) -> str:
        t = self.timers
        targets = "".join(f'{behaviour} = "{user}"\n' for behaviour, user in self.targets.items())
        return (f'name = "{self.name}"\nrole = "uas"\nhost = "{self.host}"\nport = {self.port}\n'
                f'transports = ["udp", "tcp"]\n\n[capabilities]\nrfc6026 = true\n\n[timers]\nt1 = {t.t1}\nt2 = {t.t2}\nt4 = {t.t4}\n\n'
                f'[targets]\n{targets}')

    def write_profile(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.profile_toml(), encoding="utf-8")
        return path

    def trace(self) -> str:
        """The device's wire log, both transports merged (read it after ``stop()``)."""
        return str(render_records(merge(*(p.wire for p in self.peers))))

    # -- the thread ------------------------------------------------------------------------------------
    def _run(self) -> None:
        assert self.reactor is not None
        reactor = self.reactor
        while not self._stop.is_set():
            try:
                wake = min([reactor.now() + self.tick, *(when for when, _ in self._later)])
                reactor.run_until(self._has_work, wake)
                self._drain()
                self._expire(reactor.now())
            except (TransactionError, SendError) as exc:
                # Raised inside the peer's own timer handling, not by this device's code: e.g. a 2xx
                # retransmitted (Timer G in "Accepted") to a TCP peer that has gone away, where the INVITE
                # server table has no transport-error row. Kept apart so a self-test can tell the two.
                text = f"{type(exc).__name__}: {exc}"
                if text not in self.peer_errors:
                    self.peer_errors.append(text)
            except Exception:  # a bug of ours: record it, keep serving (bounded)
                self.errors.append(traceback.format_exc())
                if len(self.errors) > 50:
                    return

    def _has_work(self) -> bool:
        return self._stop.is_set() or any(p.unconsumed() for p in self.peers)

    def _drain(self) -> None:
        for peer in self.peers:
            for msg in peer.unconsumed():
                if not isinstance(msg, Request):
                    peer.expect_response(within=0)  # a response to nothing we sent: drop it
                    continue
                req = peer.expect_request(within=0, where=_identical(msg))
                if self.fault == "rport-ignored":
                    self._route_to_sent_by(peer, req)
                try:
                    self._on_request(peer, req)
                except (SendError, OSError) as exc:
                    self.notes.append(f"{req.start_line}: {exc}")
                except SipError as exc:  # a request we cannot read the fields of
                    self.notes.append(f"{req.start_line}: {exc}")
                    self._try(lambda: peer.respond(req, 400, str(exc)[:60].replace("\r", " ").replace("\n", " ")))
                except Exception:
                    self.errors.append(f"handling {req.start_line}:\n{traceback.format_exc()}")

    def _try(self, send: Callable[[], object]) -> None:
        try:
            send()
        except (SendError, OSError, SipError) as exc:
            self.notes.append(str(exc))

    def _expire(self, now: float) -> None:
        """A fault's late sends; the no-answer timer for calls left ringing; forget calls finished long ago."""
        due = [item for item in self._later if item[0] <= now]
        self._later = [item for item in self._later if item[0] > now]
        for _, send in due:
            self._try(send)
        for call in list(self.calls):
            if call.pending and self.fault == "connection-close-cancels" and self._connection_closed(call):
                self._try(partial(self._end_invite, call, 487))
            elif call.pending and now - call.started > self.ring_timeout:
                self._try(partial(self._end_invite, call, 480, "No Answer"))
            elif call.ended_at is not None and not call.dialog and now - call.ended_at > self.linger:
                self.calls.remove(call)
            elif call.dialog and now - call.started > self.ring_timeout + self.linger:
                self.calls.remove(call)

    @staticmethod
    def _connection_closed(call: _Call) -> bool:
        entry = call.peer._server_entry(call.invite)  # noqa: SLF001 - the fault looks at the connection
        return entry is not None and entry.conn is not None and not entry.conn.open

    @staticmethod
    def _route_to_sent_by(peer: SipPeer, req: Request) -> None:
        """The "rport-ignored" fault: UDP responses go to the sent-by port whatever the rport."""
        entry = peer._server_entry(req)  # noqa: SLF001
        if entry is not None and entry.conn is None:
            entry.dest = (entry.dest[0], req.top_via.port or 5060)

    # -- sending ---------------------------------------------------------------------------------------
    def _response(self, req: Request, status: int, reason: str | None, to_tag: str | None,
                  headers: Iterable[tuple[str, str]], peer: SipPeer) -> Response:
        """The response ``SipPeer.respond`` would build (§8.2.6), for a fault to edit before it goes."""
        extra = list(headers)
        if req.method == "INVITE" and 100 < status < 300 and not any(n.lower() in ("contact", "m") for n, _ in extra):
            extra.append(("Contact", f"<{peer.contact}>"))
        tag = None if status == 100 or req.to.tag is not None else to_tag
        return response_to(peer.as_received(req), status, reason, to_tag=tag, extra=extra)

    def _send(self, peer: SipPeer, req: Request, status: int, *, reason: str | None = None,
              to_tag: str | None = None, headers: Iterable[tuple[str, str]] = (),
              edit: Callable[[Response], Response] | None = None, source: Address | None = None,
              retransmit: bool | None = None, bypass: bool = False) -> Response:
        """Answer ``req``: through its server transaction while it takes responses (so Timer G
        retransmits an INVITE's final over UDP until the ACK), else straight to where it came from.
        ``bypass``: straight away, leaving the transaction as it was (a fault)."""
        if edit is None and not bypass:
            try:
                return peer.respond(req, status, reason, to_tag=to_tag, headers=headers, retransmit=retransmit)
            except TransactionError:
                pass  # the transaction is over or in a state that takes no more responses: send directly
        response = self._response(req, status, reason, to_tag, headers, peer)
        if edit is not None:
            response = edit(response)
        entry = peer._server_entry(req)  # noqa: SLF001 - a respond() taking a ready response does not exist
        if entry is not None and not bypass:
            try:
                actions = entry.tx.respond(response, peer.clock.now(), retransmit=retransmit)  # type: ignore[union-attr]
            except TransactionError:
                actions = None
            if actions is not None:
                peer._execute(entry, actions, strict=True)  # noqa: SLF001
                return response
        peer.send(response, to=source if entry is None and source is not None else None)
        return response

    def _end_invite(self, call: _Call, status: int, reason: str | None = None, *,
                    to_tag: str | None = None, edit: Callable[[Response], Response] | None = None,
                    retransmit: bool | None = None) -> None:
        """Send the INVITE's final response and record it."""
        call.final = status
        call.ended_at = call.peer.clock.now()
        call.dialog = 200 <= status < 300
        call.response = self._send(call.peer, call.invite, status, reason=reason, to_tag=to_tag or call.to_tag,
                                   edit=edit, source=call.source, retransmit=retransmit)

    # -- the TU ----------------------------------------------------------------------------------------
    def _on_request(self, peer: SipPeer, req: Request) -> None:
        handler = {"INVITE": self._on_invite, "CANCEL": self._on_cancel, "ACK": self._on_ack,
                   "BYE": self._on_bye, "OPTIONS": self._on_options}.get(req.method)
        if handler is None:
            peer.respond(req, 501, headers=[("Allow", ALLOW)])
            return
        handler(peer, req)

    def _on_options(self, peer: SipPeer, req: Request) -> None:
        allow = ALLOW.replace("CANCEL, ", "") if self.fault in ("cancel-not-allowed-405", "allow-without-cancel") else ALLOW
        peer.respond(req, 200, headers=[("Allow", allow), ("Accept", "application/sdp")])
        if self.fault == "options-cancelled-487":
            self.answered_options = [*self.answered_options[-15:], (peer, req)]

    def _on_ack(self, peer: SipPeer, req: Request) -> None:
        """ACK for a 2xx confirms the dialog, for a non-2xx ends the transaction: nothing to do either way
        (the transaction stops Timer G itself, §17.2.1), unless a fault keeps sending the final."""
        if self.fault != "ack-does-not-stop-487":
            return
        call = next((c for c in self.calls if c.invite.call_id == req.call_id
                     and c.invite.cseq.number == req.cseq.number and (c.final or 0) >= 300), None)
        if call is not None and call.response is not None:
            response, now = call.response, peer.clock.now()
            for k in (2, 4, 8):
                self._later.append((now + k * self.timers.t1,
                                    lambda: call.peer.send(response, to=call.source)))

    def _on_invite(self, peer: SipPeer, req: Request) -> None:
        if req.to.tag is not None:  # a re-INVITE: accepted in a confirmed dialog, else 481 (§12.2.2)
            call = self._dialog_for(req)
            peer.respond(req, 200 if call is not None and call.dialog else 481)
            return
        behaviour = self._behaviour_of.get(req.request_uri.user or "")
        if behaviour is None:
            peer.respond(req, 404)
            return
        call = _Call(peer, req, peer.source_of(req), peer.new_tag(), behaviour, peer.clock.now())
        self.calls.append(call)
        if behaviour == "ring" and self.fault == "slow-provisional":
            self._later.append((peer.clock.now() + SLOW_PROVISIONAL_DELAY,
                                lambda: call.pending and peer.respond(req, 180, to_tag=call.to_tag)))
        elif behaviour == "ring":
            peer.respond(req, 180, to_tag=call.to_tag)
            self._expire_invitation(call)
        elif behaviour == "trying":
            peer.respond(req, 100)
        elif behaviour == "answer":
            self._end_invite(call, 200)
            if self.fault == "accepted-forgets-invite" and (entry := peer._server_entry(req)) is not None:  # noqa: SLF001
                peer._forget(entry)  # noqa: SLF001 - the fault: RFC 3261's transaction, gone with its 2xx
        else:
            self._end_invite(call, 486)

    def _expire_invitation(self, call: _Call) -> None:
        """§13.3.1: "If the invitation expires before the UAS has generated a final response, a 487 (Request
        Terminated) response SHOULD be generated." (Expires in seconds, §20.19.)"""
        expires = call.invite.header_values("expires")
        if self.fault == "expires-ignored" or not expires or not expires[0].strip().isdigit():
            return
        self._later.append((call.started + int(expires[0].strip()),
                            lambda: call.pending and self._end_invite(call, 487)))

    def _dialog_for(self, req: Request) -> _Call | None:
        return next((c for c in self.calls if c.in_dialog(req)), None)

    def _on_bye(self, peer: SipPeer, req: Request) -> None:
        call = self._dialog_for(req)
        if call is None or not (call.pending or call.dialog):
            peer.respond(req, 481)
            return
        peer.respond(req, 200)
        if call.dialog:
            call.dialog = False
            return
        # §15.1.2: "The UAS MUST still respond to any pending requests received for that dialog. It is
        # RECOMMENDED that a 487 (Request Terminated) response be generated to those pending requests."
        if self.fault == "bye-early-no-final":
            call.behaviour = "forgotten"  # ... and never answered (until the no-answer timer)
            return
        self._end_invite(call, 480 if self.fault == "bye-early-480" else 487)

    # CANCEL ------------------------------------------------------------------------------------------
    def _matches(self, invite: Request, cancel: Request) -> bool:
        """§9.2: the transaction a CANCEL cancels is found by §17.2.3, or a fault's idea of it."""
        via, invite_via = cancel.top_via, invite.top_via
        if self.fault == "no-rfc2543-matching" and not via.is_rfc3261_branch:
            return False
        if self.fault == "match-on-call-id-only":
            return cancel.call_id == invite.call_id
        if self.fault == "match-ignores-branch" and via.is_rfc3261_branch:
            return (cancel.call_id == invite.call_id and cancel.cseq.number == invite.cseq.number
                    and cancel.from_.tag == invite.from_.tag
                    and (via.host.lower(), via.port) == (invite_via.host.lower(), invite_via.port))
        if self.fault == "match-ignores-sent-by" and via.is_rfc3261_branch:
            return invite_via.is_rfc3261_branch and (via.branch or "").lower() == (invite_via.branch or "").lower()
        return cancel_matches(invite, cancel)

    def _cancelled_call(self, cancel: Request) -> _Call | None:
        matched = [c for c in self.calls if self._matches(c.invite, cancel)]
        return next((c for c in matched if c.pending), matched[0] if matched else None)

    def _refuses(self, peer: SipPeer, req: Request) -> bool:
        """Faults that turn a CANCEL away before looking for its transaction."""
        fault = self.fault
        if fault == "cancel-not-allowed-405":
            peer.respond(req, 405, headers=[("Allow", ALLOW.replace("CANCEL, ", ""))])
        elif fault == "challenge-cancel":
            peer.respond(req, 407, headers=[("Proxy-Authenticate", 'Digest realm="faulty.invalid", '
                                                                   'nonce="0f1e2d3c4b5a", algorithm=MD5')])
        elif fault == "require-in-cancel-420" and (req.has("require") or req.has("proxy-require")):
            tags = [*req.header_values("require"), *req.header_values("proxy-require")]
            peer.respond(req, 420, headers=[("Unsupported", ", ".join(tags))])
        elif fault == "unknown-header-400" and (unknown := [h.name for h in req.headers
                                                            if h.key not in KNOWN_HEADERS]):
            peer.respond(req, 400, f"Unknown header field {unknown[0]}")
        elif fault == "na-header-400" and (misplaced := [h.name for h in req.headers
                                                         if h.key in NOT_APPLICABLE_TO_CANCEL]):
            peer.respond(req, 400, f"{misplaced[0]} not applicable to CANCEL")
        elif fault == "reason-400" and any(v.split(";")[0].strip().lower() not in KNOWN_REASON_PROTOCOLS
                                           for v in req.header_values("reason")):
            peer.respond(req, 400, "Unknown Reason protocol")
        else:
            return False
        return True

    def _on_cancel(self, peer: SipPeer, req: Request) -> None:
        if self._refuses(peer, req):
            return
        fault = self.fault
        call = self._cancelled_call(req)
        if call is None:  # §9.2: "it SHOULD respond to the CANCEL with a 481"
            status = {"unmatched-cancel-200": 200, "487-to-cancel": 487}.get(fault or "", 481)
            if fault == "cancel-merged-482" and self._shares_dialog_fields(req):
                status = 482
            if fault == "options-cancelled-487" and (options := self._cancelled_options(req)) is not None:
                status = 200
                options_peer, options_req = options
                self._send(options_peer, options_req, 487, edit=lambda r: r, bypass=True,
                           source=options_peer.source_of(options_req))
            peer.respond(req, status)
            return
        if not call.pending:  # §9.2: "the CANCEL request has no effect": 200 (it matched) and nothing else
            if ((fault in ("cancel-timer-j-short", "cancel-copy-481") and call.cancelled)
                    or (fault == "cancel-after-2xx-481" and call.dialog)):
                peer.respond(req, 481)
            else:
                self._after_final(call, peer, req)
            return
        call.cancelled = True
        if fault == "no-200-to-cancel":  # cancels, then answers as if the transaction were already gone
            self._end_invite(call, 487)
            peer.respond(req, 481)
            return
        if fault == "487-to-cancel":
            peer.respond(req, 487, to_tag=call.to_tag)
        else:
            self._cancel_200(call, peer, req)
        # §9.2: "the UAS SHOULD immediately respond to the INVITE with a 487 (Request Terminated)"
        if fault == "cancel-leaves-invite-pending":
            call.behaviour = "forgotten"
        elif fault == "no-487":
            self._end_invite(call, 480)
        elif fault == "487-new-to-tag":
            self._end_invite(call, 487, to_tag=peer.new_tag())
        elif fault == "487-drops-via":
            self._end_invite(call, 487, edit=_top_via_only)
        elif fault == "487-not-retransmitted":
            self._end_invite(call, 487, retransmit=False)
        elif fault == "timer-h-long" and (entry := call.peer._server_entry(call.invite)) is not None:  # noqa: SLF001
            entry.tx.timers = _LongTimerH(t1=self.timers.t1, t2=self.timers.t2, t4=self.timers.t4)
            self._end_invite(call, 487)
        else:
            self._end_invite(call, 487)

    def _cancel_200(self, call: _Call, peer: SipPeer, req: Request) -> None:
        """§9.2: 200 to the CANCEL; "the To tag of the response to the CANCEL and the To tag in the
        response to the original request SHOULD be the same"."""
        fault = self.fault
        if fault == "cancel-200-on-invite-connection":
            invite_entry, cancel_entry = peer._server_entry(call.invite), peer._server_entry(req)  # noqa: SLF001
            if invite_entry is not None and cancel_entry is not None and invite_entry.conn is not None:
                cancel_entry.conn = invite_entry.conn
        if fault == "180-to-cancel":
            peer.respond(req, 180, to_tag=call.to_tag)
        if fault == "100-to-cancel":
            peer.respond(req, 100)
        if fault == "cancel-200-other-to-tag":
            peer.respond(req, 200, to_tag=peer.new_tag())
        elif fault == "cancel-200-no-to-tag":
            self._send(peer, req, 200, to_tag=call.to_tag, edit=lambda r: _edited(r.set_header("To", req.to.text)))
        elif fault == "cancel-200-bad-via":
            self._send(peer, req, 200, to_tag=call.to_tag, edit=_other_via_port)
        elif fault == "cancel-200-bad-cseq":
            self._send(peer, req, 200, to_tag=call.to_tag,
                       edit=lambda r: _edited(r.set_header("CSeq", f"{req.cseq.number + 1} CANCEL")))
        elif fault == "cancel-copy-481":
            peer.respond(req, 200, to_tag=call.to_tag)
            entry = peer._server_entry(req)  # noqa: SLF001 - the fault: this transaction is forgotten at once
            if entry is not None:
                peer._forget(entry)  # noqa: SLF001
        elif fault == "cancel-200-bad-call-id":
            self._send(peer, req, 200, to_tag=call.to_tag,
                       edit=lambda r: _edited(r.set_header("Call-ID", "other-" + req.call_id)))
        elif fault == "cancel-without-transaction":
            self._send(peer, req, 200, to_tag=call.to_tag, bypass=True)
        elif fault == "cancel-timer-j-short":
            entry = peer._server_entry(req)  # noqa: SLF001 - this transaction's own timers, Timer J = 4*T1
            if entry is not None:
                entry.tx.timers = Timers(t1=self.timers.t1 / 16, t2=self.timers.t2, t4=self.timers.t4)
            peer.respond(req, 200, to_tag=call.to_tag)
        else:
            peer.respond(req, 200, to_tag=call.to_tag)

    def _shares_dialog_fields(self, cancel: Request) -> bool:
        """Does a pending INVITE have the CANCEL's From tag, Call-ID and CSeq number (the §8.2.2.2 fields)?"""
        return any(c.pending and c.invite.call_id == cancel.call_id and c.invite.from_.tag == cancel.from_.tag
                   and c.invite.cseq.number == cancel.cseq.number for c in self.calls)

    def _cancelled_options(self, cancel: Request) -> tuple[SipPeer, Request] | None:
        """The answered OPTIONS whose branch the CANCEL carries (the "options-cancelled-487" fault)."""
        return next(((p, r) for p, r in self.answered_options
                     if r.top_via.branch == cancel.top_via.branch and r.call_id == cancel.call_id), None)

    def _after_final(self, call: _Call, peer: SipPeer, req: Request) -> None:
        peer.respond(req, 200, to_tag=call.to_tag)
        if self.fault == "cancel-after-final-487":
            self._send(call.peer, call.invite, 487, to_tag=call.to_tag, edit=lambda r: r, source=call.source)
        elif self.fault == "late-cancel-kills-dialog":
            call.dialog = False


class _LongTimerH(Timers):
    """The "timer-h-long" fault's timers: Timer H is 256*T1, the rest as RFC 3261 says."""

    @property
    def h(self) -> float:
        return 256 * self.t1


def _top_via_only(response: Response) -> Response:
    """``response`` with only the first of its Via values (a proxy's Via below it dropped)."""
    fields = list(response.headers)
    first = next(i for i, h in enumerate(fields) if h.key == "via")
    top = fields[first].with_value(fields[first].values()[0])
    return _edited(response.with_headers([top, *(h for h in fields if h.key != "via")]))


def _other_via_port(response: Response) -> Response:
    """``response`` with another sent-by port in its top Via (branch and parameters kept)."""
    fields = list(response.headers)
    first = next(i for i, h in enumerate(fields) if h.key == "via")
    top = response.top_via
    params = "".join(f";{k}" + (f"={v}" if v is not None else "") for k, v in top.params)
    changed = f"{top.protocol}/{top.version}/{top.transport} {top.host}:{(top.port or 5060) + 1}{params}"
    fields[first] = fields[first].with_value(", ".join([changed, *fields[first].values()[1:]]))
    return _edited(response.with_headers(fields))


def _edited(message: Message) -> Response:
    assert isinstance(message, Response)
    return message


def _identical(msg: Message) -> Callable[[Request], bool]:
    return lambda m: m is msg


# -- command line ------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A conformant or faulty SIP UAS for sipconform's self-tests.")
    parser.add_argument("--fault", choices=sorted(FAULTS), default=None, help="the clause to break (none: conformant)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="only 0 (an ephemeral port, printed) is supported")
    parser.add_argument("--t1", type=float, default=TIMERS.t1)
    parser.add_argument("--profile", default=None, help="also write the DUT profile TOML here")
    args = parser.parse_args(argv)
    if args.port != 0:
        parser.error("--port: only 0 is supported (the port is printed)")
    timers = Timers(t1=args.t1, t2=max(TIMERS.t2, args.t1), t4=TIMERS.t4)
    device = FaultyUas(args.fault, host=args.host, timers=timers).start()
    signal.signal(signal.SIGTERM, lambda *_: device.request_stop())
    signal.signal(signal.SIGINT, lambda *_: device.request_stop())
    profile = str(device.write_profile(args.profile)) if args.profile else None
    print(json.dumps({"port": device.port, "profile": profile, "fault": args.fault}), flush=True)
    while not device.wait(1.0):
        pass
    device.stop()
    for error in device.errors:
        print(error, file=sys.stderr)
    return 1 if device.errors else 0


if __name__ == "__main__":
    sys.exit(main())

