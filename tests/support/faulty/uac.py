"""A small, honest SIP UAC for the project's self-tests, and faulty variants of it that each break one clause.

One process per call, as a lab's dialler would run (``uac_main``: an exec upper tester starts the call and
ends it with ``hangup``, a line over a loopback TCP control socket whose port the call process wrote into a
file; ``reinvite`` and ``cancel`` make it send a re-INVITE in the established call and cancel that one). Built on the
project's own ``SipPeer`` (its transactions do Timer A/B/E/F, the ACK for a non-2xx, 2xx re-ACKs), driven
by its Reactor in the main thread: no threads, every wait bounded, the process ends by itself.

The conformant UAC: INVITE (with SDP) to ``host:port`` as its outbound proxy, so the INVITE carries
``Route: <sip:host:port;lr>`` and the Request-URI ``uri``; with port 0, no outbound proxy: the servers of
the ``uri``'s domain, located by RFC 3263 through ``--dns`` (SRV order; on a 503 the next, §4.3). On hang-up: CANCEL per §9.1 (with two Reason
values, RFC 3326) once a provisional response has come (§9.1: never before); after a final response no
CANCEL; a 2xx (also one crossing the CANCEL, and each of several with different To tags) is ACKed and,
the user having hung up, ended with BYE. 64*T1 after the CANCEL without a final response it gives the
INVITE up (§9.1) and exits; after a final response it lingers 72*T1 (Timer D) for retransmissions. Its
INVITE carries ``Expires`` (§13.2.1: still ringing then, it cancels by itself), ``Allow``, caller
preferences (RFC 3841) and a Via with ``rport`` (RFC 3581); responses with more than one Via (§8.1.3.3) or
matching no client transaction (RFC 6026 §7.2, §8.9) are dropped.

A fault (``FAULTS``, from ``faulty.table_uac``) changes exactly one behaviour: a header edit at a seam
(``self.seams.outgoing("cancel", ...)``, a data row) or a branch of the code.
"""

from __future__ import annotations

import argparse
import os
import socket
from pathlib import Path

from faulty.table import Seams, faults_of
from faulty.table_uac import UAC
from faulty.uac_helpers import address, address_of, dns_client, short_timer_d

TIMERS_S = {"t1": 0.1, "t2": 0.4, "t4": 0.5}
"""Small timers: 64*T1 is 6.4 s."""

FAULTS = faults_of(UAC)
"""name -> (the clause it breaks, what the UAC does wrong), from the fault table."""
CALLER_PREFS = [("Accept-Contact", "*;audio;require"), ("Request-Disposition", "proxy, parallel")]
"""RFC 3841 caller preferences of the INVITE (the CANCEL and the ACK for a non-2xx copy them, §5)."""
_OWN_ACK = {"ack-proxy-require", "ack-after-cancel-200", "no-ack", "ack-wrong-from-tag", "ack-to-without-tag",
            "ack-new-branch", "ack-no-route", "ack-body", "ack-new-connection"}
EXPIRES_S = 2
"""The Expires of the INVITE (§13.2.1): the UAC cancels a ringing call that long after sending it."""
REASON = ['SIP;cause=487;text="Hung up by the user"', 'Q.850;cause=16;text="Normal call clearing"']
SDP = (b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       b"m=audio 40002 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")


class Uac:
    """One call: INVITE, then whatever the peer and the hang-up make of it (see the module docstring)."""

    def __init__(self, args: argparse.Namespace) -> None:
        from sipconform.peer import SipPeer
        from sipconform.sip import Timers

        self.fault = args.fault
        self.timers = Timers(**TIMERS_S)
        self.peer = SipPeer(args.transport, timers=self.timers, name="uac", id_prefix="faulty-uac")
        self.reactor = self.peer.reactor
        self.uri = args.uri
        self.dns = address_of(args.dns) if args.dns else None
        self.control_file = Path(args.control)
        lr = ";lr;transport=tcp" if args.transport == "tcp" else ";lr"
        route = [f"<sip:{args.host}:{args.port}{lr}>"]
        self.by_dns = int(args.port) == 0
        if self.by_dns:  # no outbound proxy: the server of the Request-URI's domain (RFC 3263)
            route, (self.proxy, *self.alternatives) = [], self._locate()
        else:
            self.proxy, self.alternatives = (args.host, int(args.port)), []
        self.seams = Seams(UAC, self.fault)
        invite = self.seams.outgoing("invite", self.peer.invite(
            self.proxy, uri=self.uri, body=SDP, route=route, headers=[
                ("Supported", "100rel"), ("Allow", "INVITE, ACK, CANCEL, BYE"), ("Expires", str(EXPIRES_S)),
                *CALLER_PREFS]))
        self.invite = invite.set_header("Via", invite.top_via.text + ";rport")  # RFC 3581 §3
        self.provisional = None
        self.final = None
        self.hung_up = self.done = False
        self.byes: set[str | None] = set()  # To tags of the dialogs ended with BYE
        self.sent_at = 0.0
        self.unmatched: set[int] = set()    # id() of responses no client transaction matched
        self.local_cseq = self.invite.cseq.number  # §12.2.1.1: the dialog's local sequence number
        self.reinvite = self.reinvite_1xx = self.reinvite_final = self.reinvite_cancel = None
        self.cancel_wanted = False
        self.cancel = None
        self.cancel_at = 0.0
        self.cancel_final = None
        self.held_ack = None
        self.ended_at: float | None = None
        self._listen_control()
        self._filter_input()

    # -- what reaches the core -------------------------------------------------------------------------
    def _filter_input(self) -> None:
        """§8.1.3.3: discard a response with more than one Via; note what matches no client transaction
        (RFC 6026 §7.2, §8.9: such responses are dropped); the faults bend both."""
        from sipconform.sip import Response

        if self.fault != "accepts-extra-via-response":
            self.peer.drop_next(count=10**9, where=lambda m: isinstance(m, Response) and len(m.vias) > 1
                                and not self._own_extra_via(m))
        if self.fault == "drops-rport-response":
            self.peer.drop_next(count=10**9, where=lambda m: isinstance(m, Response) and any(
                k.lower() == "rport" and v for k, v in m.top_via.params))
        self.peer.on_stray = lambda item, _note: self.unmatched.add(id(item.message))

        def leak(item) -> None:  # noqa: ANN001
            m = item.message
            if isinstance(m, Response) and m.status >= 300 and m.cseq.method == "INVITE":
                self.peer.inject(item)  # the fault: a retransmitted final reaches the core

        if self.fault == "487-copies-to-tu":
            self.peer.on_absorbed = leak

    def _own_extra_via(self, r) -> bool:  # noqa: ANN001
        """A response to the "cancel-extra-via" fault's CANCEL: its two Via values are the CANCEL's own, and
        a UAC that put the second one there still matches the response by its top Via (§17.1.3)."""
        return (self.fault == "cancel-extra-via" and self.cancel is not None and r.cseq.method == "CANCEL"
                and [v.text for v in r.vias[1:]] == [v.text for v in self.cancel.vias[1:]])

    def _locate(self) -> list[tuple[str, int]]:
        """The servers for the Request-URI, in the order to try them (RFC 3263 §4.2, through ``--dns``)."""
        targets, _transport = dns_client().locate(self.uri, self.dns)
        if not targets:
            raise SystemExit(f"no server found for {self.uri} (RFC 3263)")
        return [t.address for t in targets]

    def _fail_over(self) -> None:
        """RFC 3263 §4.3: a 503 is a failure; the same INVITE with a new branch goes to the next server."""
        self.proxy, *self.alternatives = self.alternatives
        via = f"SIP/2.0/{self.peer.transport.upper()} {self.peer.sent_by};branch={self.peer.new_branch()};rport"
        self.invite = self.invite.set_header("Via", via)
        self.peer.send(self.invite, self.proxy, auto_ack=self.fault not in _OWN_ACK)

    def _tx(self, request):  # noqa: ANN001, ANN202
        """The peer's client transaction entry for ``request`` (None once it ended)."""
        return self.peer.transaction_of(request, client=True)

    # -- control socket (the upper tester's hang-up) -----------------------------------------------------
    def _listen_control(self) -> None:
        self.ctl = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.ctl.bind(("127.0.0.1", 0))
        self.ctl.listen(4)
        self.ctl.setblocking(False)
        self.reactor.register(self.ctl, self._on_accept)
        self.port_text = str(self.ctl.getsockname()[1])
        tmp = self.control_file.with_name(self.control_file.name + f".{os.getpid()}")
        tmp.write_text(self.port_text, encoding="ascii")
        tmp.replace(self.control_file)

    def _on_accept(self) -> None:
        conn, _ = self.ctl.accept()
        conn.settimeout(1.0)
        try:
            word = conn.recv(64).strip().decode(errors="replace")
            if word == "hangup":
                self.hung_up = True
                self._on_hangup()
            elif word == "reinvite":
                self._send_reinvite()
            elif word == "cancel":
                self.cancel_wanted = True
                self._cancel_reinvite()
            conn.sendall(b"ok\n")
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.reactor.unregister(self.ctl)
        self.ctl.close()
        try:
            if self.control_file.read_text(encoding="ascii").strip() == self.port_text:
                self.control_file.unlink()
        except OSError:
            pass
        for entry in self.peer.transactions():  # the UAC decided what to send; no CANCEL on close
            self.peer.forget(entry)
        self.peer.close()

    # -- the call -----------------------------------------------------------------------------------------
    def run(self, lifetime: float) -> None:
        self.peer.send(self.invite, self.proxy, auto_ack=self.fault not in _OWN_ACK)
        if self.fault == "short-timer-d":
            self._tx(self.invite).tx.timers = short_timer_d(TIMERS_S)
        start = self.sent_at = self.reactor.now()
        while not self.done and self.reactor.now() < start + lifetime:
            wake = min(start + lifetime, self.reactor.now() + self.timers.t1)
            self.reactor.run_until(lambda: bool(self.peer.unconsumed()) or self.done, wake)
            for msg in list(self.peer.unconsumed()):
                self._take(msg)
            self._expire()

    def _take(self, msg) -> None:  # noqa: ANN001
        from sipconform.sip import Request

        self.peer.take(next(i for i in self.peer.waiting() if i.message is msg))
        if isinstance(msg, Request):
            if msg.method == "BYE":
                self.peer.respond(msg, 200)
                self._end()
            return
        if id(msg) in self.unmatched:
            self._on_stray(msg)
        elif self.reinvite is not None and msg.top_via.branch == self.reinvite.top_via.branch:
            self._on_reinvite_response(msg)
        elif msg.cseq.method == "CANCEL":
            self._on_cancel_response(msg)
        elif msg.cseq.method == "BYE" and msg.status >= 200:
            self._end()
        elif msg.cseq.method == "INVITE":
            self._on_invite_response(msg)

    def _on_stray(self, r) -> None:  # noqa: ANN001
        """A response no client transaction matched: dropped (RFC 6026 §7.2, §8.9), unless a fault."""
        ours = r.top_via.branch == self.invite.top_via.branch
        if r.cseq.method == "INVITE" and r.status >= 300:
            if (self.fault == "acks-unknown-branch" and not ours) or (self.fault == "acks-late-487" and ours):
                self._send_ack(r)
        elif r.cseq.method == "INVITE" and r.status < 200 and ours and self.fault == "late-1xx-recancels":
            if self.cancel is not None:
                self.peer.send_outside(self.cancel, self.proxy)  # the fault: CANCEL again
        elif r.cseq.method == "CANCEL" and r.status >= 200 and self.fault == "cancel-no-completed-state":
            self.peer.send_outside(self.cancel, self.proxy)  # the fault: CANCEL again

    # -- a re-INVITE in the established call, and its CANCEL -------------------------------------------------
    def _send_reinvite(self) -> None:
        if self.final is None or self.final.status >= 300 or self.reinvite is not None:
            return
        self.local_cseq += 1
        self.reinvite = self.peer.request("INVITE", in_dialog_of=self.final, cseq=self.local_cseq, body=SDP)
        self.peer.send(self.reinvite, address(self.reinvite.uri))

    def _cancel_reinvite(self) -> None:
        """§9.1: only once the re-INVITE has a provisional response and no final one."""
        if self.reinvite_1xx is None or self.reinvite_final is not None or self.reinvite_cancel is not None:
            return
        from sipconform.sip import cancel_for

        self.reinvite_cancel = cancel_for(self.reinvite)
        self.peer.send(self.reinvite_cancel, address(self.reinvite.uri))
        if self.fault == "cancel-consumes-cseq":
            self.local_cseq += 1

    def _on_reinvite_response(self, r) -> None:  # noqa: ANN001
        if r.cseq.method != "INVITE":
            return  # the 200 to its CANCEL
        if r.status < 200:
            self.reinvite_1xx = self.reinvite_1xx or r
            if self.cancel_wanted:
                self._cancel_reinvite()
            return
        if self.reinvite_final is not None:
            return
        self.reinvite_final = r
        if r.status < 300:
            self.peer.ack(r)
        elif self.fault == "487-ends-dialog":
            self._send_bye(self.final)  # §14.1 broken: the session must stay as it was

    def _on_cancel_response(self, r) -> None:  # noqa: ANN001
        entry = self._tx(self.cancel)
        if r.status < 200:
            if self.fault == "cancel-stops-on-1xx" and entry is not None:
                entry.tx.stop_timers()  # the fault: no Timer E in "Proceeding"
            elif self.fault == "cancel-timer-e-not-doubled" and entry is not None:
                entry.tx.timers = self.timers  # the fault is in "Trying" only: T2 in "Proceeding" (§17.1.2.2)
            return
        self.cancel_final = r
        if self.fault == "cancel-no-completed-state" and entry is not None:
            self.peer.forget(entry)
        if self.fault == "cancel-200-as-answer" and r.status < 300:
            from sipconform.sip import ack_for_2xx

            via = f"SIP/2.0/{self.peer.transport.upper()} {self.peer.sent_by};branch={self.peer.new_branch()}"
            self.peer.send(ack_for_2xx(self.invite, r, via=via), self.proxy)
        if self.held_ack is not None:
            self._send_ack(self.held_ack)

    def _on_invite_response(self, r) -> None:  # noqa: ANN001
        if r.status == 503 and self.alternatives and self.final is None and not self.hung_up:
            self._fail_over()
            return
        if r.status < 200:
            self.provisional = self.provisional or r
            late = self.fault == "no-cancel-after-late-1xx"
            if self.hung_up and self.cancel is None and self.final is None and not late:
                self._send_cancel()
            return
        repeated = self.final is not None and self.final.status >= 300 and r.status >= 300
        self.final = self.final or r
        if r.status < 300:
            if self.fault == "no-ack-2xx" and self.cancel is not None:
                return
            if self.fault == "first-2xx-only" and r.to.tag != self.final.to.tag:
                return
            self.peer.ack(r)
            if self.hung_up and r.to.tag not in self.byes and self.fault != "no-bye-after-2xx":
                self._send_bye(r)
            return
        if repeated:  # only the "487-copies-to-tu" fault passes a retransmitted final up
            self._send_ack(r)
            return
        if self.fault == "no-reack-487" and self._tx(self.invite) is not None:
            self._tx(self.invite).tx.ack = None  # nothing left to re-send for a retransmitted 487
        if self.fault in _OWN_ACK and self.fault != "no-ack":
            if self.fault == "ack-after-cancel-200" and self.cancel is not None and self.cancel_final is None:
                self.held_ack = r
            else:
                self._send_ack(r)
        self._end()

    def _on_hangup(self) -> None:
        if self.final is not None:
            if self.final.status < 300 and self.final.to.tag not in self.byes:
                self._send_bye(self.final)
            elif self.fault == "cancel-after-final" and self.cancel is None:
                self._send_cancel()
        elif self.provisional is not None or self.fault == "cancel-before-provisional":
            if self.cancel is None:
                self._send_cancel()

    def _send_cancel(self) -> None:
        from sipconform.sip import cancel_for

        reasons = [REASON[0], REASON[0].replace("487", "200")] if self.fault == "reason-same-protocol" else REASON
        f = self.fault
        c = self.seams.outgoing("cancel", cancel_for(self.invite, extra=[("Reason", v) for v in reasons]),
                                cseq=self.invite.cseq.number, contact=self.peer.contact,
                                transport=self.peer.transport.upper(),
                                provisional_to=self.provisional.header("to") if self.provisional else None)
        self.cancel, self.cancel_at = c, self.reactor.now()
        dest = self.proxy
        if f == "cancel-to-request-uri":
            dest = address(self.uri)
        elif f == "cancel-re-resolves" and self.by_dns:  # (an outbound proxy's address stays what it is)
            dest = self._locate()[0]
        if f == "cancel-new-connection" and self.peer.transport == "tcp":
            self.peer.send_outside(c, dest, new_connection=True)  # a fault on purpose
            return
        self.peer.send(c, dest, retransmit=False if f == "cancel-no-retransmit" else None)
        if f == "cancel-timer-e-not-doubled" and self._tx(c) is not None:
            from sipconform.sip import Timers

            self._tx(c).tx.timers = Timers(t1=self.timers.t1, t2=self.timers.t1, t4=self.timers.t4)

    def _send_ack(self, r) -> None:  # noqa: ANN001
        from sipconform.sip import ack_for_non2xx

        self.held_ack = None
        a = self.seams.outgoing("ack", ack_for_non2xx(self.invite, r), from_=self.invite.from_.without_tag(),
                                to=self.invite.header("to"), transport=self.peer.transport.upper(),
                                sent_by=self.peer.sent_by, branch=self.peer.new_branch(), sdp=SDP.decode())
        if self.fault == "ack-new-connection" and self.peer.transport == "tcp":
            self.peer.send_outside(a, self.proxy, new_connection=True)  # on purpose
            return
        self.peer.send(a, self.proxy)
        self._hand_ack_to_transaction(r, a)

    def _hand_ack_to_transaction(self, r, ack) -> None:  # noqa: ANN001
        """The INVITE client transaction re-sends the ACK the core built (faulty or not) for each retransmitted
        final response (§17.1.1.2), as it does its own: an ACK fault breaks the ACK, not its retransmission."""
        entry = self._tx(self.invite)
        if entry is not None and r.top_via.branch == self.invite.top_via.branch:
            entry.tx.ack, entry.tx.auto_ack = ack, True

    def _send_bye(self, ok, dest=None) -> None:  # noqa: ANN001
        self.byes.add(ok.to.tag)
        self.local_cseq += 1
        bye = self.peer.request("BYE", in_dialog_of=ok, cseq=self.local_cseq)
        bye = self.seams.outgoing("bye", bye, via=self.invite.top_via.text)
        self.peer.send(bye, dest or address(bye.uri))

    def _end(self) -> None:
        self.ended_at = self.ended_at or self.reactor.now()

    def _expire(self) -> None:
        now, t1 = self.reactor.now(), self.timers.t1
        if self.ended_at is not None and now > self.ended_at + 72 * t1 and self.held_ack is None:
            self.done = True  # lingered for retransmitted finals (Timer D: 64*T1) and a late hang-up
        ringing = self.provisional is not None and self.cancel is None and self.final is None
        if ringing and not self.hung_up and now >= self.sent_at + EXPIRES_S and self.fault != "ignores-expires":
            self._send_cancel()  # §13.2.1: the INVITE's Expires has passed
        if self.fault == "bye-on-cancel-timeout" and self.cancel is not None and not self.byes:
            if self.peer.timed_out(self.cancel.top_via.branch, "CANCEL"):
                self._send_bye(self.provisional, self.proxy)
                if (entry := self._tx(self.invite)) is not None:
                    self.peer.forget(entry)  # the INVITE is given up (§9.1) like the conformant UAC's
                self._end()
                return
        gave_up = self.cancel is not None and self.final is None and now > self.cancel_at + 64 * t1
        waits_for_timeout = self.fault == "bye-on-cancel-timeout" and self.cancel_final is None  # its BYE is due then
        if gave_up and self.fault != "keeps-invite-forever" and not waits_for_timeout:
            self.done = True  # §9.1: the INVITE client transaction is destroyed
