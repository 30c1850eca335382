"""A small, honest SIP proxy for the project's self-tests, stateful or stateless, and faulty variants of it
that each break one clause of RFC 3261 §9/§16, RFC 3326 or RFC 4320.

Built on the project's ``SipPeer`` and transaction tables (no kamailio): one UDP and one TCP peer on the same
port share a ``Reactor`` pumped by a thread of the device's own until ``stop()``. Routing: loose routing
(§16.4: its own Route value is popped), then the next Route or the Request-URI (§16.5); an INVITE with
``X-Fork-To: <uri>, <uri>`` is forked in parallel to exactly those URIs.

Stateful (§16.6-16.10): 100 at once to an INVITE; 1xx (but 100) and 2xx relayed at once, other finals held
until every branch ended (best one: a 6xx, else the lowest class); CANCEL answered 200 in its own server
transaction, then a §9.1 CANCEL (Reason copied, RFC 3326) on every branch that sent a 1xx, later on those
that had not; after a 2xx the other branches are cancelled (``Reason: SIP;cause=200``), after a 6xx too;
487s ACKed hop by hop by the client transactions; a branch cancelled 64*T1 ago is given up (§9.1); a CANCEL
without context is forwarded statelessly (§16.10) and only its own responses are relayed (RFC 6026). With
``auth=True`` INVITEs are challenged (407, Digest) and never CANCELs (§22.1).
Stateless (§16.11): every request forwarded with a branch hashed from the received one, every response
sent back along the Via.

This file: the device (sockets, thread, profile, forwarding, the stateless proxy); the stateful transaction
user is in ``proxy_stateful.py``. ``FAULTS`` / ``STATELESS_FAULTS``: name -> (clause it breaks, what it does);
``tests/mutation/test_proxy_mutations.py`` shows each one caught. Use::

    with FaultyProxy("cancel-new-branch") as dut:      # or FaultyProxy(None, stateless=True)
        dut.write_profile(tmp / "dut.toml")              # then: pytest conformance/proxy --sip-dut tmp/dut.toml
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import threading
import traceback
from pathlib import Path
from typing import Callable

from sipconform.dut.reference import free_port
from sipconform.peer import Reactor, SendError, SipPeer
from sipconform.peer.core import PeerCore
from sipconform.peer.wirelog import merge, render_records
from sipconform.sip import NameAddr, Request, Response, SipUri, Timers, response_to
from sipconform.sip.errors import SipError
from sipconform.sip.via import SERVER_VIA_PARAMS
from sipconform.sip.transaction import TransactionError


def _sibling(name: str):  # type: ignore[no-untyped-def]
    """``tests/faulty/<name>.py`` as a module (tests/ is no package); ``name`` may have a folder: ``uas/faults``."""
    key = f"sipconform_selftest_faulty_{name.replace('/', '_')}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, Path(__file__).parent / f"{name}.py")
        assert spec is not None and spec.loader is not None
        sys.modules[key] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[key]


_tu = _sibling("proxy_stateful")
_dns = _sibling("dns_client")  # RFC 3263: SRV and A through the suite's DNS server
_uas_sending = _sibling("uas/sending")  # listen_tcp_on: UDP and TCP on one port, as for the UAS device
_uas = _sibling("uas/faults")  # the UAS device's server-transport faults (Via parameters, response routing) reused
FORK_HEADER, USER, PASSWORD, REALM = _tu.FORK_HEADER, _tu.USER, _tu.PASSWORD, _tu.REALM
pop_via, target_of, _Branch, _Context = _tu.pop_via, _tu.target_of, _tu._Branch, _tu._Context

__all__ = ["FAULTS", "FaultyProxy", "STATELESS_FAULTS", "TIMERS"]

Address = tuple[str, int]
TIMERS = Timers(t1=0.05, t2=0.4, t4=0.5)

FAULTS: dict[str, tuple[str, str]] = {  # stateful: name -> (the clause it breaks, what it does wrong)
    "forward-cancel": ("RFC3261-9-4", "does not answer a CANCEL itself: forwards it and relays the branch's 200"),
    "relay-cancel-200": ("RFC3261-16.7-3", "answers the CANCEL and relays the branch's 200 to its own CANCEL too"),
    "cancel-non-invite": ("RFC3261-9.1-1", "cancels a non-INVITE branch when the UAC cancels that request"),
    "cancel-to-tag": ("RFC3261-9.1-2", "puts a To tag (the branch's 1xx tag) into its CANCEL"),
    "cancel-two-vias": ("RFC3261-9.1-3", "keeps the upstream Via under its own in the CANCEL"),
    "cancel-cseq-invite": ("RFC3261-9.1-4", "sends the CANCEL with CSeq method INVITE"),
    "cancel-without-route": ("RFC3261-9.1-5", "leaves the INVITE's Route out of the CANCEL"),
    "cancel-with-require": ("RFC3261-9.1-6", "copies the INVITE's Require into the CANCEL"),
    "cancel-before-provisional": ("RFC3261-9.1-8", "cancels a branch that has sent no provisional response"),
    "never-cancel-late": ("RFC3261-9.1-9", "never cancels a branch whose first 1xx came after the UAC's CANCEL"),
    "cancel-not-retransmitted": ("RFC3261-9.1-11", "sends its CANCEL once over UDP, outside Timer E"),
    "cancel-to-wrong-port": ("RFC3261-9.1-12", "sends the CANCEL to the port after the INVITE's"),
    "ack-after-cancel-200": ("RFC3261-9.1-13", "ACKs a 487 only once its CANCEL got a 200"),
    "no-give-up": ("RFC3261-9.1-15", "waits for a branch's 487 forever after its CANCEL"),
    "match-by-call-id": ("RFC3261-9.2-1", "matches a CANCEL to an INVITE by Call-ID alone"),
    "challenge-cancel": ("RFC3261-9.2-4", "challenges the CANCEL (407) like the INVITE"),
    "cancel-outside-transaction": ("RFC3261-9.2-13", "sends the 200 to CANCEL around its server transaction"),
    "cancel-new-branch": ("RFC3261-16.6-8a", "gives its CANCEL a new branch"),
    "forward-6xx-at-once": ("RFC3261-16.7-5a", "forwards a 6xx at once, before the other branches ended"),
    "new-branch-after-6xx": ("RFC3261-16.7-5a", "sends a new INVITE to the branch that answered 6xx"),
    "no-cancel-on-6xx": ("RFC3261-16.7-10", "does not cancel the other branches after a 6xx"),
    "drop-2xx-after-final": ("RFC3261-16.7-5b", "drops a 2xx that comes after a final response was sent"),
    "forward-100": ("RFC3261-16.7-5c", "relays a branch's 100 (Trying)"),
    "forward-487-at-once": ("RFC3261-16.7-5c", "relays every branch's 487 at once"),
    "no-final-after-cancel": ("RFC3261-16.7-6a", "sends the UAC no final response once all branches ended"),
    "no-cancel-on-2xx": ("RFC3261-16.7-10", "does not cancel the other branches after a 2xx"),
    "recancel-on-2xx": ("RFC3261-16.7-10b", "after a 2xx sends CANCEL again to branches already cancelled"),
    "cancel-ended-branches": ("RFC3261-16.7-10b", "sends CANCEL to branches that already answered finally"),
    "cancel-first-branch-only": ("RFC3261-16.10-2", "cancels only the first pending branch"),
    "cancel-on-expires": ("RFC3261-16.10-3", "cancels at the INVITE's Expires, with a CANCEL carrying a To tag"),
    "delay-cancel-200": ("RFC3261-16.10-4", "answers the CANCEL only once every branch ended"),
    "unmatched-cancel-481": ("RFC3261-16.10-6", "answers a CANCEL it has no context for 481"),
    "ack-without-from-tag": ("RFC3261-17.1.1.3-1", "ACKs the 487 with a From without its tag"),
    "ack-to-without-tag": ("RFC3261-17.1.1.3-2", "ACKs the 487 with the INVITE's To (no tag)"),
    "ack-two-vias": ("RFC3261-17.1.1.3-3", "ACKs the 487 with the upstream Via under its own"),
    "ack-without-route": ("RFC3261-17.1.1.3-4", "ACKs the 487 without the INVITE's Route"),
    "ack-with-body": ("RFC3261-17.1.1.3-5", "ACKs the 487 with a text body"),
    "no-ack": ("RFC3261-17.1.1.2-1", "never ACKs a 487"),
    "reject-reason": ("RFC3326-2-1", "answers a CANCEL carrying Reason 400"),
    "drop-reason": ("RFC3326-2-2", "does not copy Reason into its CANCELs"),
    "duplicate-reason-protocol": ("RFC3326-2-4", "adds a second SIP Reason value to its CANCELs"),
    "reject-unknown-reason": ("RFC3326-2-5", "answers a CANCEL whose Reason protocol it does not know 400"),
    "no-reason-after-2xx": ("RFC3326-3.1-1", "cancels after a 2xx without Reason: SIP;cause=200"),
    "180-to-cancel": ("RFC4320-4.1-1", "sends 180 to a CANCEL before its 200"),
    "early-100-to-cancel": ("RFC4320-4.1-2", "sends 100 to a CANCEL at once"),
    "stateful-unmatched-cancel": ("RFC3261-16.10-6", "forwards a context-less CANCEL statefully (a 100 at the "
                                  "RFC 4320 time, so RFC4320-4.1-3 passes)"),
    "stateful-unmatched-cancel-no-100": ("RFC4320-4.1-3", "forwards a context-less CANCEL statefully, no 100"),
    "stateful-unmatched-cancel-408": ("RFC4320-4.2-1", "forwards a context-less CANCEL statefully, 408 on timeout"),
    "relay-stray-responses": ("RFC4320-4.2-2", "relays responses that match no transaction of its own"),
    "relay-stray-2xx": ("RFC6026-8.2-1", "relays a 2xx to an INVITE that matches no transaction (RFC 3261 §16.7)"),
    "relay-late-finals": ("RFC6026-8.3-1", "relays a branch's final that comes after the final went upstream"),
    "cancel-no-t2-cap": ("RFC3261-17.1.2.2-1", "doubles its CANCEL's Timer E past T2"),
    "cancel-ignores-100": ("RFC3261-17.1.2.2-2", "keeps the doubling Timer E of its CANCEL after a 100"),
    "resend-cancel-on-200-copy": ("RFC3261-17.1.2.2-3", "sends its CANCEL again on a second 200 to it"),
    "match-by-branch-only": ("RFC3261-17.1.3-1", "matches branch responses by branch alone (a 200 to its CANCEL "
                             "answers the INVITE)"),
    "ack-final-once": ("RFC3261-17.1.1.2-2", "ACKs a final response once, not its retransmissions"),
    "cancel-without-max-forwards": ("RFC3261-20-1", "sends its CANCEL without Max-Forwards"),
    "timer-c-no-cancel": ("RFC3261-16.8-1", "on Timer C ends a ringing branch with 408 upstream, no CANCEL"),
    "timer-c-ignores-1xx": ("RFC3261-16.7-2", "does not reset Timer C on a provisional response"),
    "short-timer-c": ("RFC3261-16.6-11", "runs Timer C for 20*T1 (whatever it is started with)"),
    "cancel-on-transport-error": ("RFC3261-16.9-1", "cancels the branches when a response cannot go upstream"),
    "drop-on-transport-error": ("RFC6026-6-2", "destroys the INVITE server transaction and its response context "
                                "when a response cannot go upstream"),
    "transport-error-ends-transaction": ("RFC6026-7.1-2", "ends the INVITE server transaction when a response cannot "
                                         "go upstream, the response context going on: the INVITE sent again is "
                                         "a new request"),
    "max-breadth-cancel-440": ("RFC5393-5.4.1-1", "answers a CANCEL with Max-Breadth: 0 440, cancels nothing"),
    "cancel-despite-no-cancel": ("RFC3841-9.1-1", "cancels the other branches after a 2xx despite "
                                 "Request-Disposition: no-cancel"),
    "no-199": ("RFC6228-6-1", "sends no 199 for an early dialog a held non-2xx final ended"),
    "no-received": ("RFC3261-18.2.1-1", "adds no received parameter to the upstream Via (only fills in rport)"),
    "rport-not-filled": ("RFC3581-4-1", "leaves an empty rport of the upstream Via empty (and adds received only "
                         "when the sent-by host differs)"),
    "response-to-source-port": ("RFC3261-18.2.2-2", "over UDP answers upstream at the source port, whatever the "
                                "sent-by port"),
    "rport-ignored": ("RFC3581-4-2", "over UDP answers upstream at the sent-by port even when the Via has rport"),
    "cancel-200-on-invite-connection": ("RFC3261-18.2.2-1", "over TCP sends the 200 to a CANCEL on the "
                                        "connection its INVITE came on"),
    "cancel-on-new-connection": ("RFC3261-18.1.1-1", "over TCP closes a branch's connection before its CANCEL, "
                                 "which goes on a new one"),
    "ack-stray-final": ("RFC6026-8.9-1", "ACKs a 3xx-6xx to an INVITE that matches no transaction of its own"),
    "no-100": ("RFC3261-17.2.1-1", "sends no 100 (Trying) to an INVITE, only relays the branches' 1xx"),
    "cancel-copies-invite-headers": ("RFC3261-20-2", "copies Contact, Subject, Expires ... of the INVITE into its "
                                     "CANCEL"),
    "cancel-re-resolves": ("RFC3263-4-1", "locates the server for its CANCEL afresh (RFC 3263): the first SRV "
                           "target, not the one its INVITE reached after a 503"),
}
STATELESS_FAULTS: dict[str, tuple[str, str]] = {
    "sl-new-branch": ("RFC3261-16.6-8a", "gives a forwarded CANCEL a fresh branch"),
    "sl-cancel-elsewhere": ("RFC3261-16.11-1", "forwards a CANCEL to the port after the INVITE's target"),
    "sl-answer-cancel": ("RFC3261-16.11-2", "answers a CANCEL 200 itself, and forwards it too"),
    "sl-srv-round-robin": ("RFC3263-4.4-1", "sends each request to the next of the equal-priority SRV targets in "
                           "turn (INVITE copies, CANCEL and ACK of one transaction scattered)"),
    "sl-cancel-re-resolves": ("RFC3263-4-1", "sends a CANCEL to the heaviest equal-priority SRV target, other "
                              "requests to the first by name"),
}


class FaultyProxy(_tu.StatefulTU):  # type: ignore[misc, name-defined]
    """A proxy on ``host`` (UDP and TCP, one ephemeral port): stateful, or ``stateless``; conformant when
    ``fault`` is None. ``errors``: tracebacks of the device's own code; ``notes``: sends the network refused."""

    def __init__(self, fault: str | None = None, *, stateless: bool = False, auth: bool = False,
                 host: str = "127.0.0.1", timers: Timers = TIMERS, timer_c: float = 181.0,
                 dns: Address | None = None) -> None:
        known = STATELESS_FAULTS if stateless else FAULTS
        if fault is not None and fault not in known:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(known)}")
        self.fault, self.stateless, self.host, self.timers = fault, stateless, host, timers
        self.timer_c = timer_c  # §16.6 step 11: "larger than 3 minutes"; a self-test may start it shorter
        self.auth = auth or fault == "challenge-cancel"
        self.name = ("stateless-" if stateless else "") + (f"faulty-{fault}" if fault else "conformant")
        self.dns = dns  # where it resolves domain names (RFC 3263); None: a free port picked at start()
        self._turn = 0  # "sl-srv-round-robin"
        self.errors: list[str] = []
        self.notes: list[str] = []
        self.peers: list[SipPeer] = []
        self.reactor: Reactor | None = None
        self._contexts: list[_Context] = []
        self._branches: dict[tuple[str | None, str], tuple[_Context, _Branch]] = {}
        self._relayed: dict[str, tuple[SipPeer, Request, Address, SipPeer]] = {}  # context-less CANCEL: branch ->
        # (upstream peer, the CANCEL, its source, downstream peer)
        self._later: list[tuple[float, Callable[[], object]]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> FaultyProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self.peers[0].address[1]

    def start(self) -> FaultyProxy:
        self.reactor = Reactor()
        if self.dns is None:
            self.dns = (self.host, free_port())
        via = {"via_params": _uas.VIA_PARAMS_OF.get(self.fault or "", SERVER_VIA_PARAMS),
               "route_by_via": self.fault != "response-to-source-port"}  # §18.2.1, §18.2.2, RFC 3581 §4
        for _attempt in range(50):
            udp = SipPeer("udp", timers=self.timers, host=self.host, reactor=self.reactor, name="proxy-udp",
                          id_prefix=self.name, **via)
            tcp = SipPeer("tcp", timers=self.timers, host=self.host, reactor=self.reactor, name="proxy-tcp",
                          id_prefix=self.name, **via)
            try:
                _uas_sending.listen_tcp_on(tcp, udp.address[1])
            except OSError:
                PeerCore.close(udp), PeerCore.close(tcp)
                continue
            self.peers = [udp, tcp]
            break
        else:
            raise OSError("no port number free for both UDP and TCP after 50 attempts")
        self._thread = threading.Thread(target=self._run, name=f"sip-{self.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None
            for peer in self.peers:
                PeerCore.close(peer)  # no teardown wind-up: the tests' peers are gone
            if self.reactor is not None:
                self.reactor.close()

    def profile_toml(self) -> str:
        t, caps = self.timers, 'routing = "request-uri"\n'
        if not self.stateless:
            caps += f'fork_header = "{FORK_HEADER}"\ntimer_c = {self.timer_c}\nrequest_disposition = true\nrfc6228 = true\n'
        if self.auth:
            caps += f'auth_user = "{USER}"\nauth_password = "{PASSWORD}"\n'
        return (f'name = "{self.name}"\nrole = "{"stateless-proxy" if self.stateless else "proxy"}"\n'
                f'host = "{self.host}"\nport = {self.port}\ntransports = ["udp", "tcp"]\n\n'
                f'[timers]\nt1 = {t.t1}\nt2 = {t.t2}\nt4 = {t.t4}\n\n[capabilities]\n{caps}\n'
                f'[dns]\nserver = "{self.dns[0]}:{self.dns[1]}"\n')

    def write_profile(self, path: str | Path) -> Path:
        Path(path).write_text(self.profile_toml(), encoding="utf-8")
        return Path(path)

    def trace(self) -> str:
        return str(render_records(merge(*(p.wire for p in self.peers))))

    def _run(self) -> None:
        assert self.reactor is not None
        reactor = self.reactor
        while not self._stop.is_set():
            try:
                wake = min([reactor.now() + self.timers.t1, *(when for when, _ in self._later)])
                reactor.run_until(lambda: self._stop.is_set() or any(p.unconsumed() for p in self.peers), wake)
                # in order of arrival across both transports (a 486 on TCP before a CANCEL on UDP)
                for _time, _n, peer, item in sorted((i.time, n, p, i) for p in self.peers
                                                     for n, i in enumerate(p._inbox)):  # noqa: SLF001
                    msg = peer._inbox.take(item)  # noqa: SLF001
                    self._guard(lambda: self._on(peer, msg, item.source))
                now = reactor.now()
                due, self._later = [j for j in self._later if j[0] <= now], [j for j in self._later if j[0] > now]
                for _, job in due:
                    self._guard(job)
                self._guard(self._timeouts)
            except Exception:
                self.errors.append(traceback.format_exc())
                if len(self.errors) > 50:
                    return

    def _guard(self, job: Callable[[], object]) -> None:
        try:
            job()
        except (SendError, OSError, TransactionError, SipError) as exc:
            self.notes.append(f"{type(exc).__name__}: {exc}")
        except Exception:
            self.errors.append(traceback.format_exc())

    def _peer(self, transport: str) -> SipPeer:
        return self.peers[1] if transport == "tcp" else self.peers[0]

    def _is_me(self, uri: str) -> bool:
        u = SipUri.parse(uri)
        return u.host.strip("[]") == self.host and (u.port or 5060) == self.port

    def _forward(self, req: Request, branch: str, target: str | None = None, *,
                 pick: Callable[[list], object] | None = None  # type: ignore[type-arg]
                 ) -> tuple[Request, Address, str]:
        """``req`` with its Request-URI (``target``), Route popped if ours, Max-Forwards - 1, our Via on top, and
        where it goes: the first server RFC 3263 finds for the next hop (or the one ``pick`` takes)."""
        routes = req.header_values("route")
        if routes and self._is_me(NameAddr.parse(routes[0]).uri):
            routes = routes[1:]
        out = req.remove_header("route").remove_header(FORK_HEADER)
        if target is not None:
            out = out.with_uri(target)
        after_via = max(i for i, h in enumerate(out.headers) if h.key == "via") + 1
        for value in reversed(routes):
            out = out.insert_header(after_via, "Route", value)
        out = out.set_header("Max-Forwards", str((req.max_forwards or 70) - 1))
        targets, transport = self._locate(self._hop(out))  # type: ignore[arg-type]
        dest = (pick or (lambda found: found[0]))(targets).address
        via = f"SIP/2.0/{transport.upper()} {self.host}:{self.port};branch={branch}"
        return out.insert_header(0, "Via", via), dest, transport  # type: ignore[return-value]

    @staticmethod
    def _hop(req: Request) -> str:
        """The URI the next hop is found from: the first Route, else the Request-URI (§16.6 step 7)."""
        routes = req.header_values("route")
        return NameAddr.parse(routes[0]).uri if routes else req.uri

    def _locate(self, uri: str) -> tuple[list[_dns.Target], str]:  # type: ignore[name-defined]
        """RFC 3263 through the suite's DNS server (a numeric host as it is); no target: a SendError."""
        try:
            targets, transport = _dns.locate(uri, self.dns)
        except OSError as exc:  # the DNS server did not answer
            raise SendError(f"cannot resolve {uri}: {exc}") from None
        if not targets:
            raise SendError(f"no server found for {uri} (RFC 3263)")
        return targets, transport

    def _sl_pick(self, req: Request) -> Callable[[list], object]:
        """The stateless choice among the targets: the first (deterministic, §4.4), unless a fault."""
        def pick(found: list) -> object:  # type: ignore[type-arg]
            equal = [t for t in found if t.priority == found[0].priority]
            if self.is_("sl-srv-round-robin"):
                self._turn += 1
                return equal[self._turn % len(equal)]
            if self.is_("sl-cancel-re-resolves") and req.method == "CANCEL":
                return max(equal, key=lambda t: t.weight)
            return found[0]
        return pick

    def _stateless_branch(self, req: Request) -> str:
        top = req.top_via
        key = top.branch if top.is_rfc3261_branch else "|".join(
            (top.text, req.to.tag or "", req.from_.tag or "", req.call_id, str(req.cseq.number), req.uri))
        return "z9hG4bK" + hashlib.sha1(f"{self.name}|{key}".encode()).hexdigest()[:20]

    def _forward_statelessly(self, peer: SipPeer, req: Request, source: Address) -> None:
        top = req.top_via  # §18.2.1 received, RFC 3581 rport: where the response goes back to
        params = "".join(f";{k}" + (f"={v}" if v is not None else "") for k, v in top.params
                         if k.lower() not in ("received", "rport"))
        first = next(i for i, h in enumerate(req.headers) if h.key == "via")
        values = req.headers[first].values()
        values[0] = f"{top.sent_protocol} {top.sent_by}{params};received={source[0]};rport={source[1]}"
        marked = req.with_headers([*req.headers[:first], req.headers[first].with_value(", ".join(values)),
                                   *req.headers[first + 1:]])
        branch = self._stateless_branch(req)
        if req.method == "CANCEL" and self.is_("sl-new-branch"):
            branch = self.peers[0].new_branch()
        fwd, dest, transport = self._forward(marked, branch, pick=self._sl_pick(req))  # type: ignore[arg-type]
        if req.method == "CANCEL" and self.is_("sl-cancel-elsewhere"):
            dest = (dest[0], dest[1] + 1)
        self._relayed[branch] = (peer, req, source, self._peer(transport))
        self._peer(transport).send(bytes(fwd), to=dest)

    def _relay_back(self, resp: Response) -> None:
        """A response along the Via (§16.11, §18.2.2): our Via popped, sent to received/rport or sent-by."""
        rest = pop_via(resp)
        nxt = rest.top_via
        port = int(nxt.rport) if nxt.rport else (nxt.port or 5060)
        peer = self._peer(nxt.transport.lower())
        peer.send(bytes(rest), to=(nxt.received or nxt.host.strip("[]"), port))

    def _on(self, peer: SipPeer, msg: Request | Response, source: Address) -> None:
        if isinstance(msg, Response):
            return self._on_stateless_response(msg) if self.stateless else self._on_response(msg)
        if self._is_me(msg.uri) and SipUri.parse(msg.uri).user is None:
            if msg.method == "OPTIONS":
                self._answer(peer, msg, source, 200, headers=[("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS")])
            elif msg.method != "ACK":
                self._answer(peer, msg, source, 404)
            return None
        if self.is_("rport-ignored") and isinstance(msg, Request):
            _uas.route_to_sent_by(peer, msg)
        if self.stateless:
            if msg.method == "CANCEL" and self.is_("sl-answer-cancel"):
                peer.send(response_to(msg, 200), to=source)
            return self._forward_statelessly(peer, msg, source)
        return self._on_stateful_request(peer, msg, source)

    def _answer(self, peer: SipPeer, req: Request, source: Address, status: int,
                headers: list[tuple[str, str]] | None = None) -> None:
        if self.stateless:
            peer.send(response_to(req, status, extra=headers or ()), to=source)
        else:
            peer.respond(req, status, headers=headers or ())

    def _on_stateless_response(self, resp: Response) -> None:
        if resp.top_via.host == self.host and resp.top_via.port == self.port and len(resp.vias) > 1:
            self._relay_back(resp)


