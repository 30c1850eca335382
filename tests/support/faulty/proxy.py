"""A small, honest SIP proxy for the project's self-tests, stateful or stateless, and faulty variants of it
that each break one clause of RFC 3261 §9/§16, RFC 3326 or RFC 4320.

Built on the project's ``SipPeer`` and transaction tables (no kamailio), in the shell of ``faulty.shell``
(UDP and TCP on one port, a thread of its own until ``stop()``). Routing: loose routing
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

This file: the device (profile, forwarding, the stateless proxy); the stateful transaction user is in
``proxy_stateful.py``; its faults are the rows of ``faulty.table_proxy``. Use::

    with FaultyProxy("cancel-new-branch") as dut:      # or FaultyProxy(None, stateless=True)
        dut.write_profile(tmp / "dut.toml")              # then: pytest conformance/proxy --sip-dut tmp/dut.toml
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable
from typing import Any

from faulty import (
    dns_client as _dns,  # RFC 3263: SRV and A through the suite's DNS server
)
from faulty.proxy_state import (
    FORK_HEADER,
    PASSWORD,
    USER,
    Branch,
    Context,
    pop_via,
)
from faulty.proxy_stateful import StatefulTU
from faulty.shell import DeviceLoop
from faulty.table import Seams, faults_of
from faulty.table_proxy import PROXY, STATELESS_PROXY
from faulty.uas import (
    faults as _uas,  # the UAS device's server-transport faults (Via parameters, routing) reused
)
from sipconform.dut.reference import free_port
from sipconform.peer import Received, SendError, SipPeer
from sipconform.peer.core import PeerCore
from sipconform.sip import NameAddr, Request, Response, SipUri, Timers, response_to
from sipconform.sip.errors import SipError
from sipconform.sip.transaction import TransactionError
from sipconform.sip.via import SERVER_VIA_PARAMS

__all__ = ["FAULTS", "FaultyProxy", "STATELESS_FAULTS", "TIMERS"]

Address = tuple[str, int]
TIMERS = Timers(t1=0.05, t2=0.4, t4=0.5)

FAULTS = faults_of(PROXY)  # stateful: name -> (the clause it breaks, what it does wrong), from the table
STATELESS_FAULTS = faults_of(STATELESS_PROXY)

class FaultyProxy(StatefulTU, DeviceLoop):
    """A proxy on ``host`` (UDP and TCP, one ephemeral port): stateful, or ``stateless``; conformant when
    ``fault`` is None. ``errors``: tracebacks of the device's own code; ``notes``: sends the network refused."""

    def __init__(self, fault: str | None = None, *, stateless: bool = False, auth: bool = False,
                 host: str = "127.0.0.1", timers: Timers = TIMERS, timer_c: float = 181.0,
                 dns: Address | None = None) -> None:
        known = STATELESS_FAULTS if stateless else FAULTS
        if fault is not None and fault not in known:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(known)}")
        self.fault, self.stateless = fault, stateless
        self.seams = Seams(STATELESS_PROXY if stateless else PROXY, fault)
        self.timer_c = timer_c  # §16.6 step 11: "larger than 3 minutes"; a self-test may start it shorter
        self.auth = auth or fault == "challenge-cancel"
        self.name = ("stateless-" if stateless else "") + (f"faulty-{fault}" if fault else "conformant")
        DeviceLoop.__init__(self, host=host, timers=timers)
        self.dns = dns  # where it resolves domain names (RFC 3263); None: a free port picked at start()
        self._turn = 0  # "sl-srv-round-robin"
        self._contexts: list[Context] = []
        self._branches: dict[tuple[str | None, str], tuple[Context, Branch]] = {}
        self._relayed: dict[str, tuple[SipPeer, Request, Address, SipPeer]] = {}  # context-less CANCEL: branch ->
        # (upstream peer, the CANCEL, its source, downstream peer)

    # -- the shell's hooks ---------------------------------------------------------------------------------
    peer_name, has_control = "proxy", False

    def start(self) -> FaultyProxy:
        if self.dns is None:
            self.dns = (self.host, free_port())
        return super().start()

    def peer_options(self) -> dict[str, Any]:
        return {"via_params": _uas.VIA_PARAMS_OF.get(self.fault or "", SERVER_VIA_PARAMS),
                "route_by_via": self.fault != "response-to-source-port"}  # §18.2.1, §18.2.2, RFC 3581 §4

    def close_peer(self, peer: SipPeer) -> None:
        PeerCore.close(peer)  # no teardown wind-up: the tests' peers are gone

    def on_message(self, peer: SipPeer, item: Received) -> None:
        msg = item.message
        if isinstance(msg, (Request, Response)):
            self._guard(lambda: self._on(peer, msg, item.source))

    def tend(self, now: float) -> None:
        self._guard(self._timeouts)

    def attempt(self, send: Callable[[], object]) -> None:
        self._guard(send)

    def profile_toml(self) -> str:
        caps = 'routing = "request-uri"\n'
        if not self.stateless:
            caps += f'fork_header = "{FORK_HEADER}"\ntimer_c = {self.timer_c}\nrequest_disposition = true\nrfc6228 = true\n'
        if self.auth:
            caps += f'auth_user = "{USER}"\nauth_password = "{PASSWORD}"\n'
        return (f'{self.profile_head("stateless-proxy" if self.stateless else "proxy")}[capabilities]\n{caps}\n'
                f'[dns]\nserver = "{self.dns[0]}:{self.dns[1]}"\n')

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

    def _timeouts(self) -> None:
        """Timer B of a branch: a 408 (§16.7 step 2 reads it so); §9.1: a branch cancelled 64*T1 ago is over."""
        now = self.reactor.now()  # type: ignore[union-attr]
        for ctx in self._contexts:
            ended = False
            for branch in ctx.branches:
                if branch.state != "done" and branch.timer_c_at is not None and now >= branch.timer_c_at:
                    ended = self._on_timer_c(ctx, branch) or ended
                key = (branch.invite.top_via.branch, branch.invite.cseq.method)
                gave_up = branch.give_up_at is not None and now >= branch.give_up_at
                if branch.state != "done" and (branch.peer.timed_out(*key) or gave_up):
                    branch.state, ended = "done", True
            if ended:
                self._maybe_finish(ctx)
        if self.is_("resend-cancel-on-200-copy"):
            self._resend_cancel_on_200_copy()
        if self.is_("stateful-unmatched-cancel-408"):  # Timer F of a context-less CANCEL: 408 upstream
            for branch, (up, cancel, _src, down) in list(self._relayed.items()):
                if down.timed_out(branch, "CANCEL"):
                    del self._relayed[branch]
                    up.respond(cancel, 408)

    def _resend_cancel_on_200_copy(self) -> None:
        """"resend-cancel-on-200-copy": a second 200 to a CANCEL (absorbed by its transaction) makes the TU send
        the CANCEL again, as if the first had been lost."""
        for ctx in self._contexts:
            for branch in ctx.branches:
                c = branch.cancel
                if c is None or branch.cancel_resent:
                    continue
                oks = [i for i in branch.peer.received() if isinstance(i.message, Response) and i.message.status == 200
                       and (i.message.top_via.branch, i.message.cseq.method) == (c.top_via.branch, "CANCEL")]
                if len(oks) >= 2:
                    branch.cancel_resent = True
                    branch.peer.send(c, branch.dest)
