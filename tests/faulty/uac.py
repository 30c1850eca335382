"""A small, honest SIP UAC for the project's self-tests, and faulty variants of it that each break one clause.

One process per call, as a lab's dialler would run: an exec upper tester starts
``python tests/faulty/uac.py call --uri {uri} --host {host} --port {port} --transport {transport}
--control FILE [--fault NAME]`` and ends the call with ``python tests/faulty/uac.py hangup --control FILE``
(a line over a loopback TCP control socket whose port the call process wrote into FILE); ``reinvite`` and
``cancel`` make it send a re-INVITE in the established call and cancel that re-INVITE. Built on the
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

A fault (``FAULTS``) changes exactly one behaviour; ``profile_toml`` writes the exec profile of a variant.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
from pathlib import Path

TIMERS_S = {"t1": 0.1, "t2": 0.4, "t4": 0.5}
"""Small timers: 64*T1 is 6.4 s."""

FAULTS: dict[str, tuple[str, str]] = {
    # name: (the clause it breaks, what the UAC does wrong)
    "cancel-to-tag": ("RFC3261-9.1-2", "copies the To tag of the 180 into the CANCEL"),
    "cancel-extra-via": ("RFC3261-9.1-3", "puts a second Via value into the CANCEL"),
    "cancel-cseq-lowercase": ("RFC3261-9.1-4", "writes the CSeq method of the CANCEL as 'cancel'"),
    "cancel-cseq-number": ("RFC3261-9.1-2", "gives the CANCEL the INVITE's CSeq number plus one"),
    "cancel-no-route": ("RFC3261-9.1-5", "leaves the INVITE's Route out of the CANCEL"),
    "cancel-require": ("RFC3261-9.1-6", "puts Require: 100rel into the CANCEL"),
    "ack-proxy-require": ("RFC3261-8.2.2.3-1", "puts Proxy-Require into the ACK for the 487"),
    "cancel-no-max-forwards": ("RFC3261-8.1.1.6-1", "sends the CANCEL without Max-Forwards"),
    "cancel-before-provisional": ("RFC3261-9.1-8", "sends the CANCEL at once, before any provisional response"),
    "no-cancel-after-late-1xx": ("RFC3261-9.1-9", "drops a hang-up that came before any provisional response"),
    "cancel-after-final": ("RFC3261-9.1-10", "sends a CANCEL on hang-up even after a final response"),
    "cancel-no-retransmit": ("RFC3261-9.1-11", "sends the CANCEL once, without a client transaction (UDP)"),
    "cancel-to-request-uri": ("RFC3261-9.1-12", "sends the CANCEL to the Request-URI, not where the INVITE went"),
    "cancel-new-connection": ("RFC3261-9.1-12", "opens a new TCP connection for the CANCEL (TCP)"),
    "ack-after-cancel-200": ("RFC3261-9.1-13", "ACKs a 487 only once the CANCEL got its final response"),
    "keeps-invite-forever": ("RFC3261-9.1-15", "never gives up an INVITE whose CANCEL got no 487"),
    "no-ack": ("RFC3261-17.1.1.2-1", "never ACKs a non-2xx final response"),
    "ack-wrong-from-tag": ("RFC3261-17.1.1.3-1", "puts another From tag into the ACK for the 487"),
    "ack-to-without-tag": ("RFC3261-17.1.1.3-2", "copies the INVITE's To (no tag) into the ACK for the 487"),
    "ack-new-branch": ("RFC3261-17.1.1.3-3", "gives the ACK for the 487 a new branch"),
    "ack-no-route": ("RFC3261-17.1.1.3-4", "leaves the INVITE's Route out of the ACK for the 487"),
    "ack-body": ("RFC3261-17.1.1.3-5", "puts the INVITE's SDP into the ACK for the 487"),
    "no-ack-2xx": ("RFC3261-13.2.2.4-1", "does not ACK a 2xx that comes after its CANCEL"),
    "no-bye-after-2xx": ("RFC3261-15-1", "keeps a call its user hung up when a 2xx crossed the CANCEL"),
    "reason-same-protocol": ("RFC3326-2-4", "puts two Reason values with protocol SIP into the CANCEL"),
    "cancel-timer-e-not-doubled": ("RFC3261-17.1.2.2-1", "retransmits the unanswered CANCEL every T1, never "
                                   "doubling Timer E (in \"Proceeding\" every T2, as it should)"),
    "cancel-stops-on-1xx": ("RFC3261-17.1.2.2-2", "stops retransmitting the CANCEL once it got a 100"),
    "cancel-no-completed-state": ("RFC3261-17.1.2.2-3", "ends the CANCEL transaction at its 200 (no Completed "
                                  "state) and sends the CANCEL again for a retransmitted 200"),
    "cancel-200-as-answer": ("RFC3261-17.1.3-1", "takes the 200 to its CANCEL for the INVITE's answer and ACKs it"),
    "no-reack-487": ("RFC3261-17.1.1.2-2", "does not ACK a retransmitted 487 again"),
    "short-timer-d": ("RFC6026-8.4-1", "runs Timer D for 24*T1 only over UDP"),
    "487-copies-to-tu": ("RFC6026-8.4-2", "passes retransmitted 487s up to its core, which ACKs each once more"),
    "bye-on-cancel-timeout": ("RFC3261-8.1.3.1-1", "sends BYE on the early dialog when its CANCEL times out"),
    "cancel-no-content-length": ("RFC3261-20-1", "sends the CANCEL without Content-Length"),
    "cancel-contact": ("RFC3261-20-2", "puts a Contact into the CANCEL"),
    "bye-invite-branch": ("RFC3261-8.1.1.7-1", "gives the BYE the INVITE's branch"),
    "allow-without-cancel": ("RFC3261-20.5-1", "lists no CANCEL in the Allow of its INVITE"),
    "acks-unknown-branch": ("RFC6026-8.9-1", "ACKs a 487 whose branch matches none of its transactions"),
    "acks-late-487": ("RFC6026-7.2-2", "ACKs a 487 that comes after its INVITE transaction ended"),
    "first-2xx-only": ("RFC6026-7.2-1", "ignores a second 2xx with another To tag"),
    "accepts-extra-via-response": ("RFC3261-8.1.3.3-1", "takes a response with two Via values"),
    "drops-rport-response": ("RFC3581-3-1", "drops responses whose Via carries the rport it asked for"),
    "ack-new-connection": ("RFC3261-18.1.1-1", "sends the ACK for the 487 over a new TCP connection (TCP)"),
    "ignores-expires": ("RFC3261-13.2.1-1", "lets its INVITE's Expires pass without a CANCEL"),
    "cancel-consumes-cseq": ("RFC3261-12.2.1.1-1", "counts the CANCEL of a re-INVITE as a CSeq number of the dialog"),
    "487-ends-dialog": ("RFC3261-14.1-1", "ends the call with BYE when its re-INVITE is rejected 487"),
    "cancel-without-caller-prefs": ("RFC3841-5-1", "leaves the INVITE's Accept-Contact out of the CANCEL"),
    "late-1xx-recancels": ("RFC3262-4-1", "sends its CANCEL again for a provisional response after the final one"),
    "cancel-re-resolves": ("RFC3263-4-1", "locates the server for its CANCEL afresh (RFC 3263): the first SRV "
                           "target, not the one its INVITE reached after a 503"),
}
CALLER_PREFS = [("Accept-Contact", "*;audio;require"), ("Request-Disposition", "proxy, parallel")]
"""RFC 3841 caller preferences of the INVITE (the CANCEL and the ACK for a non-2xx copy them, §5)."""
_OWN_ACK = {"ack-proxy-require", "ack-after-cancel-200", "no-ack", "ack-wrong-from-tag", "ack-to-without-tag",
            "ack-new-branch", "ack-no-route", "ack-body", "ack-new-connection"}
EXPIRES_S = 2
"""The Expires of the INVITE (§13.2.1): the UAC cancels a ringing call that long after sending it."""
REASON = ['SIP;cause=487;text="Hung up by the user"', 'Q.850;cause=16;text="Normal call clearing"']
SDP = (b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       b"m=audio 40002 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")


def profile_toml(name: str, control: Path, fault: str | None = None, dns: tuple[str, int] | None = None) -> str:
    """An exec profile for this UAC (``fault`` None: the conformant one); ``control`` is a file path. ``dns``:
    the DNS server it resolves domain names through (RFC 3263; default: a port free now on 127.0.0.1)."""
    from sipconform.dut.reference import free_port

    me = Path(__file__).resolve()
    host, port = dns or ("127.0.0.1", free_port())
    call = [sys.executable, str(me), "call", "--uri", "{uri}", "--host", "{host}", "--port", "{port}",
            "--transport", "{transport}", "--control", str(control), "--dns", f"{host}:{port}"
            ] + (["--fault", fault] if fault else [])
    actions = "".join(f"{word} = {_toml_list([sys.executable, str(me), word, '--control', str(control)])}\n"
                      for word in COMMANDS)
    timers = "".join(f"{k} = {v}\n" for k, v in TIMERS_S.items())
    return (f'name = "{name}"\nrole = "uac"\nhost = "127.0.0.1"\nport = 0\ntransports = ["udp", "tcp"]\n\n'
            f"[timers]\n{timers}\n[dns]\nserver = \"{host}:{port}\"\n\n"
            f"[upper_tester]\nkind = \"exec\"\ncall = {_toml_list(call)}\n{actions}")


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join('"' + i.replace("\\", "\\\\").replace('"', '\\"') + '"' for i in items) + "]"


COMMANDS = ("hangup", "reinvite", "cancel")
"""What the upper tester can tell a call process, one word a line over its control socket."""


def command(control: Path, word: str, timeout: float = 5.0) -> int:
    """Tell the call process to ``word`` (hang up, re-INVITE, cancel the re-INVITE); a call that already
    ended is not an error."""
    try:
        port = int(control.read_text(encoding="ascii").strip())
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(word.encode() + b"\n")
            sock.settimeout(timeout)
            reply = sock.recv(64)
    except (OSError, ValueError):
        print(f"no call to {word}")
        return 0
    print(reply.decode(errors="replace").strip())
    return 0


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
        self.dns = _address_of(args.dns) if args.dns else None
        self.control_file = Path(args.control)
        lr = ";lr;transport=tcp" if args.transport == "tcp" else ";lr"
        route = [f"<sip:{args.host}:{args.port}{lr}>"]
        self.by_dns = int(args.port) == 0
        if self.by_dns:  # no outbound proxy: the server of the Request-URI's domain (RFC 3263)
            route, (self.proxy, *self.alternatives) = [], self._locate()
        else:
            self.proxy, self.alternatives = (args.host, int(args.port)), []
        allow = "INVITE, ACK, BYE" if self.fault == "allow-without-cancel" else "INVITE, ACK, CANCEL, BYE"
        invite = self.peer.invite(self.proxy, uri=self.uri, body=SDP, route=route,
                                  headers=[("Supported", "100rel"), ("Allow", allow), ("Expires", str(EXPIRES_S)),
                                           *CALLER_PREFS])
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
        deliver, execute = self.peer._deliver, self.peer._execute  # noqa: SLF001

        def deliver_unmatched(item, rec, note):  # noqa: ANN001, ANN202
            self.unmatched.add(id(item.message))
            deliver(item, rec, note)

        def execute_leaky(entry, actions, item=None, rec=None, *, strict=False):  # noqa: ANN001, ANN202
            from sipconform.sip.transaction import Absorb

            execute(entry, actions, item, rec, strict=strict)
            if item is not None and any(isinstance(a, Absorb) and isinstance(a.message, Response)
                                        and a.message.status >= 300 and a.message.cseq.method == "INVITE"
                                        for a in actions):
                self.peer._inbox.put(item)  # noqa: SLF001 - the fault: a retransmitted final reaches the core

        self.peer._deliver = deliver_unmatched  # noqa: SLF001
        if self.fault == "487-copies-to-tu":
            self.peer._execute = execute_leaky  # noqa: SLF001

    def _own_extra_via(self, r) -> bool:  # noqa: ANN001
        """A response to the "cancel-extra-via" fault's CANCEL: its two Via values are the CANCEL's own, and
        a UAC that put the second one there still matches the response by its top Via (§17.1.3)."""
        return (self.fault == "cancel-extra-via" and self.cancel is not None and r.cseq.method == "CANCEL"
                and [v.text for v in r.vias[1:]] == [v.text for v in self.cancel.vias[1:]])

    def _locate(self) -> list[tuple[str, int]]:
        """The servers for the Request-URI, in the order to try them (RFC 3263 §4.2, through ``--dns``)."""
        targets, _transport = _dns_client().locate(self.uri, self.dns)
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
        return self.peer._clients.get((request.top_via.branch, request.cseq.method))  # noqa: SLF001

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
        self.peer._clients.clear()  # noqa: SLF001 - the UAC decided what to send; no CANCEL on close
        self.peer.close()

    # -- the call -----------------------------------------------------------------------------------------
    def run(self, lifetime: float) -> None:
        self.peer.send(self.invite, self.proxy, auto_ack=self.fault not in _OWN_ACK)
        if self.fault == "short-timer-d":
            self._tx(self.invite).tx.timers = _short_timer_d()
        start = self.sent_at = self.reactor.now()
        while not self.done and self.reactor.now() < start + lifetime:
            wake = min(start + lifetime, self.reactor.now() + self.timers.t1)
            self.reactor.run_until(lambda: bool(self.peer.unconsumed()) or self.done, wake)
            for msg in list(self.peer.unconsumed()):
                self._take(msg)
            self._expire()

    def _take(self, msg) -> None:  # noqa: ANN001
        from sipconform.sip import Request

        item = next(i for i in self.peer._inbox if i.message is msg)  # noqa: SLF001
        self.peer._inbox.take(item)  # noqa: SLF001
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
                self.peer._transmit(self.cancel, self.proxy, None)  # noqa: SLF001 - the fault: CANCEL again
        elif r.cseq.method == "CANCEL" and r.status >= 200 and self.fault == "cancel-no-completed-state":
            self.peer._transmit(self.cancel, self.proxy, None)  # noqa: SLF001 - the fault: CANCEL again

    # -- a re-INVITE in the established call, and its CANCEL -------------------------------------------------
    def _send_reinvite(self) -> None:
        if self.final is None or self.final.status >= 300 or self.reinvite is not None:
            return
        self.local_cseq += 1
        self.reinvite = self.peer.request("INVITE", in_dialog_of=self.final, cseq=self.local_cseq, body=SDP)
        self.peer.send(self.reinvite, _address(self.reinvite.uri))

    def _cancel_reinvite(self) -> None:
        """§9.1: only once the re-INVITE has a provisional response and no final one."""
        if self.reinvite_1xx is None or self.reinvite_final is not None or self.reinvite_cancel is not None:
            return
        from sipconform.sip import cancel_for

        self.reinvite_cancel = cancel_for(self.reinvite)
        self.peer.send(self.reinvite_cancel, _address(self.reinvite.uri))
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
                entry.tx._deadlines.clear()  # noqa: SLF001 - the fault: no Timer E in "Proceeding"
            elif self.fault == "cancel-timer-e-not-doubled" and entry is not None:
                entry.tx.timers = self.timers  # the fault is in "Trying" only: T2 in "Proceeding" (§17.1.2.2)
            return
        self.cancel_final = r
        if self.fault == "cancel-no-completed-state" and entry is not None:
            self.peer._forget(entry)  # noqa: SLF001
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
        c = cancel_for(self.invite, extra=[("Reason", v) for v in reasons])
        f = self.fault
        if f == "cancel-to-tag" and self.provisional is not None:
            c = c.set_header("To", self.provisional.header("to"))
        elif f == "cancel-extra-via":
            c = c.insert_header(1, "Via", f"SIP/2.0/{self.peer.transport.upper()} 192.0.2.1:5060;branch=z9hG4bKextra")
        elif f == "cancel-cseq-lowercase":
            c = c.set_header("CSeq", f"{self.invite.cseq.number} cancel")
        elif f == "cancel-cseq-number":
            c = c.set_header("CSeq", f"{self.invite.cseq.number + 1} CANCEL")
        elif f == "cancel-no-route":
            c = c.remove_header("Route")
        elif f == "cancel-require":
            c = c.append_header("Require", "100rel")
        elif f == "cancel-no-max-forwards":
            c = c.remove_header("Max-Forwards")
        elif f == "cancel-no-content-length":
            c = c.remove_header("Content-Length")
        elif f == "cancel-contact":
            c = c.append_header("Contact", f"<{self.peer.contact}>")
        elif f == "cancel-without-caller-prefs":
            c = c.remove_header("Accept-Contact")
        self.cancel, self.cancel_at = c, self.reactor.now()
        dest = self.proxy
        if f == "cancel-to-request-uri":
            dest = _address(self.uri)
        elif f == "cancel-re-resolves" and self.by_dns:  # (an outbound proxy's address stays what it is)
            dest = self._locate()[0]
        if f == "cancel-new-connection" and self.peer.transport == "tcp":
            conn = self.peer._t.connect(dest)  # noqa: SLF001 - a fault on purpose
            self.peer._transmit(c, dest, conn)  # noqa: SLF001
            return
        self.peer.send(c, dest, retransmit=False if f == "cancel-no-retransmit" else None)
        if f == "cancel-timer-e-not-doubled" and self._tx(c) is not None:
            from sipconform.sip import Timers

            self._tx(c).tx.timers = Timers(t1=self.timers.t1, t2=self.timers.t1, t4=self.timers.t4)

    def _send_ack(self, r) -> None:  # noqa: ANN001
        from sipconform.sip import ack_for_non2xx

        self.held_ack = None
        extra = [("Proxy-Require", "sipconform-selftest")] if self.fault == "ack-proxy-require" else []
        a = ack_for_non2xx(self.invite, r, extra=extra)
        f = self.fault
        if f == "ack-wrong-from-tag":
            a = a.set_header("From", f"{self.invite.from_.without_tag()};tag=not-the-invites")
        elif f == "ack-to-without-tag":
            a = a.set_header("To", self.invite.header("to"))
        elif f == "ack-new-branch":
            a = a.set_header("Via", f"SIP/2.0/{self.peer.transport.upper()} {self.peer.sent_by};"
                                    f"branch={self.peer.new_branch()}")
        elif f == "ack-no-route":
            a = a.remove_header("Route")
        elif f == "ack-body":
            a = a.append_header("Content-Type", "application/sdp").with_body(SDP)
        elif f == "ack-new-connection" and self.peer.transport == "tcp":
            self.peer._transmit(a, self.proxy, self.peer._t.connect(self.proxy))  # noqa: SLF001 - on purpose
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
        if self.fault == "bye-invite-branch":
            bye = bye.set_header("Via", self.invite.top_via.text)
        self.peer.send(bye, dest or _address(bye.uri))

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
            if (self.cancel.top_via.branch, "CANCEL") in self.peer._timed_out:  # noqa: SLF001
                self._send_bye(self.provisional, self.proxy)
                if (entry := self._tx(self.invite)) is not None:
                    self.peer._forget(entry)  # noqa: SLF001 - the INVITE is given up (§9.1) like the conformant UAC's
                self._end()
                return
        gave_up = self.cancel is not None and self.final is None and now > self.cancel_at + 64 * t1
        waits_for_timeout = self.fault == "bye-on-cancel-timeout" and self.cancel_final is None  # its BYE is due then
        if gave_up and self.fault != "keeps-invite-forever" and not waits_for_timeout:
            self.done = True  # §9.1: the INVITE client transaction is destroyed


def _short_timer_d():  # noqa: ANN202
    """The "short-timer-d" fault's timers: Timer D of 24*T1 instead of at least 32 s (64*T1 here): long enough for
    RFC3261-17.1.1.2-2's copies (12*T1 and 4*T1 for the ACK), too short for RFC6026-8.4-1's last (60*T1)."""
    from sipconform.sip import Timers

    class ShortTimerD(Timers):
        @property
        def d(self) -> float:
            return 24 * self.t1

    return ShortTimerD(**TIMERS_S)


def _address(uri: str) -> tuple[str, int]:
    from sipconform.sip import SipUri

    u = SipUri.parse(uri)
    return u.host.strip("[]"), u.port or 5060


def _address_of(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def _dns_client():  # noqa: ANN202
    """``tests/faulty/dns_client.py`` (this file also runs as a script, so not a package import)."""
    import importlib.util

    name = "sipconform_faulty_dns_client"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("dns_client.py"))
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


def _terminate(*_: object) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    call = sub.add_parser("call")
    for name in ("--uri", "--host", "--port", "--transport", "--control"):
        call.add_argument(name, required=True)
    call.add_argument("--fault", choices=sorted(FAULTS), default=None)
    call.add_argument("--dns", default=None, help="HOST:PORT of the DNS server for RFC 3263 lookups")
    for word in COMMANDS:
        sub.add_parser(word).add_argument("--control", required=True)
    args = parser.parse_args(argv)
    if args.command in COMMANDS:
        return command(Path(args.control), args.command)
    uac = Uac(args)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        uac.run(lifetime=200 * uac.timers.t1)
    finally:
        uac.close()
        from sipconform.peer.wirelog import render_records

        print(render_records(uac.peer.wire.records), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
