"""The transaction user of the stateful faulty proxy of ``proxy.py`` (RFC 3261 §16.6-16.10): response
contexts, branches, CANCEL handling, response processing, and the faults that bend each of them.

A mixin: ``FaultyProxy`` brings the sockets, the thread, ``fault``/``is_()``, ``_forward`` and friends.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from sipconform.peer import SendError, SipPeer
from sipconform.verify.reason import reason_values
from sipconform.sip import NameAddr, Request, Response, SipUri, ack_for_non2xx, cancel_for, cancel_matches, response_to
from sipconform.sip.matching import transaction_key
from sipconform.sip.transaction import TransactionError

__all__ = ["FORK_HEADER", "PASSWORD", "REALM", "USER", "StatefulTU", "pop_via", "target_of"]

Address = tuple[str, int]
FORK_HEADER, USER, PASSWORD, REALM = "X-Fork-To", "alice", "secret", "sipconform"
_ACK_FAULTS = {"ack-after-cancel-200", "ack-without-from-tag", "ack-to-without-tag", "ack-two-vias",
               "ack-without-route", "ack-with-body", "no-ack", "ack-final-once"}
_TIMER_E_FAULTS = ("cancel-no-t2-cap", "cancel-ignores-100")  # the CANCEL's Timer E done by hand, wrongly
_NOT_IN_CANCEL = ("contact", "subject", "priority", "organization", "allow", "accept", "alert-info", "expires")
_STATEFUL_UNMATCHED = ("stateful-unmatched-cancel", "stateful-unmatched-cancel-no-100", "stateful-unmatched-cancel-408")


@dataclass
class _Branch:
    peer: SipPeer
    invite: Request                   # as forwarded
    dest: Address
    state: str = "calling"            # calling | proceeding | done
    tag: str | None = None            # To tag of its 1xx
    final: Response | None = None
    cancel: Request | None = None
    cancel_wanted: tuple[str, str | None] | None = None  # (why, Reason): CANCEL once a 1xx comes (§9.1)
    cancel_answered: bool = False
    cancel_final: bool = False        # its CANCEL got a final response
    cancel_resent: bool = False       # "resend-cancel-on-200-copy" did so
    give_up_at: float | None = None
    held: Response | None = None      # a 487 whose ACK waits ("ack-after-cancel-200")
    timer_c_at: float | None = None   # when Timer C fires (§16.6 step 11, §16.8)
    target: str | None = None         # the URI it was forked to (None: the Request-URI)
    alternatives: list[Address] = field(default_factory=list)  # further servers RFC 3263 found, in order


@dataclass
class _Context:
    peer: SipPeer
    request: Request                  # as received
    source: Address
    branches: list[_Branch] = field(default_factory=list)
    cancel: Request | None = None     # the upstream CANCEL
    final_sent: bool = False


def _other_headers(resp: Response) -> list[tuple[str, str]]:
    return [(h.name, h.value) for h in resp.headers
            if h.key not in ("via", "from", "to", "call-id", "cseq", "content-length")]


def pop_via(resp: Response) -> Response:
    first = next(i for i, h in enumerate(resp.headers) if h.key == "via")
    return resp.with_headers(h for i, h in enumerate(resp.headers) if i != first)  # type: ignore[return-value]


def target_of(uri: str) -> tuple[Address, str]:
    u = SipUri.parse(uri)
    return (u.host.strip("[]"), u.port or 5060), (u.transport or "udp").lower()


class StatefulTU:
    """§16.7 and §16.10 on top of the device's peers; every ``self.is_(...)`` is a fault."""

    fault: str | None
    peers: list[SipPeer]
    _contexts: list[_Context]
    _branches: dict[tuple[str | None, str], tuple[_Context, _Branch]]
    _relayed: dict[str, tuple[SipPeer, Request, Address, SipPeer]]
    _later: list[Any]
    reactor: Any
    timers: Any
    auth: bool
    timer_c: float

    def is_(self, *faults: str) -> bool:
        return self.fault in faults

    def _on_stateful_request(self, peer: SipPeer, msg: Request, source: Address) -> None:
        if msg.method == "CANCEL":
            return self._on_cancel(peer, msg, source)
        if msg.method == "ACK":
            if not any(transaction_key(c.request) == transaction_key(msg) for c in self._contexts):
                self._forward_statelessly(peer, msg, source)  # type: ignore[attr-defined]
            return None
        if msg.method == "INVITE" and self.auth and not self._authorized(msg):
            nonce = hashlib.sha1(msg.call_id.encode()).hexdigest()[:16]
            peer.respond(msg, 407, headers=[("Proxy-Authenticate", f'Digest realm="{REALM}", nonce="{nonce}", '
                                                                   f'qop="auth", algorithm=MD5')])
            return None
        return self._on_new_request(peer, msg, source)

    def _authorized(self, req: Request) -> bool:
        value = req.header("proxy-authorization") or ""
        p = {k.lower(): a or b for k, a, b in re.findall(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))', value)}
        md5 = lambda text: hashlib.md5(text.encode()).hexdigest()  # noqa: E731, S324
        ha1, ha2 = md5(f"{USER}:{REALM}:{PASSWORD}"), md5(f"{req.method}:{p.get('uri', '')}")
        tail = f"{p.get('nc')}:{p.get('cnonce')}:{p.get('qop')}:" if p.get("qop") else ""
        return p.get("response") == md5(f"{ha1}:{p.get('nonce')}:{tail}{ha2}")

    def _on_new_request(self, peer: SipPeer, req: Request, source: Address) -> None:
        ctx = _Context(peer, req, source)
        self._contexts.append(ctx)
        if req.method == "INVITE" and not self.is_("no-100"):
            peer.respond(req, 100)
        fork = req.header(FORK_HEADER) if req.method == "INVITE" else None
        targets = [NameAddr.parse(v).uri for v in fork.split(",")] if fork else [None]
        for target in targets:
            self._new_branch(ctx, target)
        expires = req.header("expires")
        if req.method == "INVITE" and expires and self.is_("cancel-on-expires"):
            self._later.append((self.reactor.now() + int(expires), lambda: self._cancel_all(ctx, "expires")))

    def _new_branch(self, ctx: _Context, target: str | None, servers: list[Address] | None = None) -> None:
        """Forward to ``target`` (None: the Request-URI): to the first server RFC 3263 finds, or of ``servers``
        (a failover); the others are kept for the next failover (RFC 3263 §4.3)."""
        fwd, dest, transport = self._forward(ctx.request, self.peers[0].new_branch(), target)
        if servers is None:
            servers = [t.address for t in self._locate(self._hop(fwd))[0]]  # type: ignore[attr-defined]
        dest, alternatives = (servers[0], servers[1:]) if servers else (dest, [])
        peer = self._peer(transport)
        branch = _Branch(peer, fwd, dest, target=target, alternatives=alternatives)
        if fwd.method == "INVITE":
            branch.timer_c_at = self.reactor.now() + self._timer_c()
        ctx.branches.append(branch)
        self._branches[(fwd.top_via.branch, fwd.cseq.method)] = (ctx, branch)
        peer.send(fwd, dest, auto_ack=self.fault not in _ACK_FAULTS)

    def _timer_c(self) -> float:
        return 20 * self.timers.t1 if self.is_("short-timer-c") else self.timer_c

    def _on_cancel(self, peer: SipPeer, cancel: Request, source: Address) -> None:
        def matches(ctx: _Context) -> bool:
            if self.is_("match-by-call-id"):
                return ctx.request.call_id == cancel.call_id and ctx.request.method == "INVITE"
            return cancel_matches(ctx.request, cancel)
        ctx = next((c for c in reversed(self._contexts) if matches(c)), None)
        if ctx is None:
            return self._on_unmatched_cancel(peer, cancel, source)
        protocols = {value.key for value in reason_values(cancel.header_values("reason"))}
        if self.is_("max-breadth-cancel-440") and (cancel.header("max-breadth") or "").strip() == "0":
            peer.respond(cancel, 440)
            return None
        if (self.is_("challenge-cancel") or (self.is_("reject-reason") and protocols)
                or (self.is_("reject-unknown-reason") and protocols - {"SIP", "Q.850"})):
            status = 407 if self.is_("challenge-cancel") else 400
            headers = [("Proxy-Authenticate", f'Digest realm="{REALM}", nonce="x"')] if status == 407 else []
            peer.respond(cancel, status, headers=headers)
            return None
        ctx.cancel = cancel
        if self.is_("180-to-cancel", "early-100-to-cancel"):
            peer.respond(cancel, 180 if self.is_("180-to-cancel") else 100)
        if self.is_("cancel-outside-transaction"):
            peer.send(response_to(cancel, 200, to_tag=peer.new_tag()), to=source)
        elif self.is_("cancel-200-on-invite-connection"):
            peer.send(response_to(cancel, 200, to_tag=peer.new_tag()), to=ctx.source)
        elif not self.is_("forward-cancel", "delay-cancel-200"):
            peer.respond(cancel, 200)
        if ctx.request.method == "INVITE" or self.is_("cancel-non-invite"):
            self._cancel_all(ctx, "cancel")

    def _on_unmatched_cancel(self, peer: SipPeer, cancel: Request, source: Address) -> None:
        if self.is_("unmatched-cancel-481"):
            peer.respond(cancel, 481)
        elif self.is_(*_STATEFUL_UNMATCHED):
            fwd, dest, transport = self._forward(cancel, self.peers[0].new_branch())
            self._relayed[fwd.top_via.branch] = (peer, cancel, source, self._peer(transport))  # type: ignore[index]
            self._peer(transport).send(fwd, dest)
            if self.is_("stateful-unmatched-cancel"):
                self._later.append((self.reactor.now() + self.timers.timer_e_reaches_t2,  # type: ignore[union-attr]
                                    lambda: peer.respond(cancel, 100)))
        else:
            self._forward_statelessly(peer, cancel, source)

    def _cancel_all(self, ctx: _Context, why: str, reason: str | None = None) -> None:
        """CANCEL every pending branch (§16.7 step 10); a branch still calling once its 1xx comes (§9.1)."""
        for n, branch in enumerate(ctx.branches):
            if n and self.is_("cancel-first-branch-only") and why == "cancel":
                break
            if branch.state == "done" and not self.is_("cancel-ended-branches"):
                continue
            if branch.cancel is not None:
                if why == "2xx" and self.is_("recancel-on-2xx"):
                    branch.peer.send(branch.cancel, branch.dest)
                continue
            if branch.state == "calling" and not self.is_("cancel-before-provisional"):
                branch.cancel_wanted = None if self.is_("never-cancel-late") else (why, reason)
                continue
            self._send_cancel(ctx, branch, why, reason)

    def _send_cancel(self, ctx: _Context, branch: _Branch, why: str, reason: str | None = None) -> None:
        inv = branch.invite
        extra = [("Reason", v) for v in (ctx.cancel.header_values("reason") if ctx.cancel else [])
                 if why == "cancel" and not self.is_("drop-reason")]
        if reason and not self.is_("no-reason-after-2xx"):
            extra.append(("Reason", reason))
        if self.is_("duplicate-reason-protocol"):
            extra += [("Reason", "SIP;cause=487"), ("Reason", "SIP;cause=480")]
        if self.is_("cancel-with-require") and inv.has("require"):
            extra.append(("Require", inv.header("require") or ""))
        if self.is_("cancel-copies-invite-headers"):
            extra += [(h.name, h.value) for h in inv.headers if h.key in _NOT_IN_CANCEL]
        c = cancel_for(inv, extra=extra)
        if self.is_("cancel-to-tag") or why == "expires":
            c = c.set_header("To", f"{inv.to.text};tag={branch.tag or 'sipconform-bad'}")
        if self.is_("cancel-two-vias"):
            c = c.insert_header(1, "Via", ctx.request.top_via.text)
        if self.is_("cancel-cseq-invite"):
            c = c.set_header("CSeq", f"{inv.cseq.number} INVITE")
        if self.is_("cancel-without-route"):
            c = c.remove_header("route")
        if self.is_("cancel-without-max-forwards"):
            c = c.remove_header("max-forwards")
        if self.is_("cancel-new-branch"):
            top = inv.top_via
            c = c.set_header("Via", f"{top.sent_protocol} {top.sent_by};branch={branch.peer.new_branch()}")
        branch.cancel, branch.cancel_wanted = c, None  # type: ignore[assignment]
        branch.give_up_at = None if self.is_("no-give-up") else self.reactor.now() + 64 * self.timers.t1
        self._branches[(c.top_via.branch, c.cseq.method)] = (ctx, branch)  # type: ignore[union-attr]
        dest = (branch.dest[0], branch.dest[1] + 1) if self.is_("cancel-to-wrong-port") else branch.dest
        if self.is_("cancel-re-resolves"):
            dest = self._locate(self._hop(inv))[0][0].address  # type: ignore[attr-defined]
        # "cancel-cseq-invite": the CANCEL's key is the INVITE's, so the peer would take it for that INVITE sent
        # again (no transaction of its own): its Timer E is run by hand, so that the fault breaks only its clause
        by_hand = self.is_(*_TIMER_E_FAULTS) or (self.is_("cancel-cseq-invite") and branch.peer.transport == "udp")
        if self.is_("cancel-on-new-connection"):
            self._close_connection(branch.peer, dest)
        branch.peer.send(c, dest, retransmit=not (by_hand or self.is_("cancel-not-retransmitted")))  # type: ignore[arg-type]
        if by_hand:
            self._timer_e_by_hand(branch, self.timers.t1, self.reactor.now() + 64 * self.timers.t1)

    def _end_server_transaction(self, ctx: _Context) -> None:
        """The transport-error faults: RFC 3261 Figure 7 ends the INVITE server transaction; "drop-on-transport-error"
        drops the response context (and its branches) with it."""
        entry = ctx.peer._server_entry(ctx.request)  # noqa: SLF001
        if entry is not None:
            ctx.peer._forget(entry)  # noqa: SLF001
        if self.is_("drop-on-transport-error"):
            self._contexts.remove(ctx)
            for branch in ctx.branches:
                self._branches.pop((branch.invite.top_via.branch, branch.invite.cseq.method), None)

    def _ack_stray(self, resp: Response) -> None:
        """"ack-stray-final": an ACK (§17.1.1.3 fields, from the response) for a final matching no transaction."""
        dest, transport = target_of(resp.to.uri)
        ack = (f"ACK {resp.to.uri} SIP/2.0\r\nVia: {resp.top_via.text}\r\nMax-Forwards: 70\r\n"
               f"From: {resp.from_.text}\r\nTo: {resp.to.text}\r\nCall-ID: {resp.call_id}\r\n"
               f"CSeq: {resp.cseq.number} ACK\r\nContent-Length: 0\r\n\r\n")
        self._peer(transport).send(ack.encode(), to=dest)  # type: ignore[attr-defined]

    @staticmethod
    def _close_connection(peer: SipPeer, dest: Address) -> None:
        """"cancel-on-new-connection": the open TCP connection to ``dest`` is closed, the next send opens another."""
        conn = peer._t.connection_to(dest) if peer.transport == "tcp" else None  # noqa: SLF001
        if conn is not None:
            conn.close()

    def _timer_e_by_hand(self, branch: _Branch, interval: float, timer_f: float) -> None:
        """"cancel-no-t2-cap": the interval doubles past T2; "cancel-ignores-100": a 100 changes nothing."""
        def fire() -> None:
            answered = branch.cancel_final or (self.is_("cancel-cseq-invite") and branch.state == "done")
            if answered or self.reactor.now() >= timer_f:
                return
            branch.peer.send(branch.cancel, branch.dest)  # type: ignore[arg-type]
            cap = float("inf") if self.is_("cancel-no-t2-cap") else self.timers.t2
            self._timer_e_by_hand(branch, min(2 * interval, cap), timer_f)
        self._later.append((self.reactor.now() + interval, fire))

    def _on_response(self, resp: Response) -> None:
        found = self._branches.get((resp.top_via.branch, resp.cseq.method))
        if self.is_("match-by-branch-only"):
            found = self._branches.get((resp.top_via.branch, "INVITE"), found)
        if found is None:
            if self.is_("ack-stray-final") and resp.cseq.method == "INVITE" and resp.status >= 300:
                self._ack_stray(resp)
            upstream = self._relayed.get(resp.top_via.branch or "")
            stray_2xx = resp.cseq.method == "INVITE" and 200 <= resp.status < 300 and self.is_("relay-stray-2xx")
            if upstream and resp.cseq.method == "CANCEL" and self.is_(*_STATEFUL_UNMATCHED):
                if resp.status != 408 or self.is_("stateful-unmatched-cancel-408"):
                    upstream[0].respond(upstream[1], resp.status, headers=_other_headers(resp))
            elif (upstream or stray_2xx or self.is_("relay-stray-responses")) and len(resp.vias) > 1:
                self._relay_back(resp)
            return
        ctx, branch = found
        if resp.cseq.method == "CANCEL" and not self.is_("match-by-branch-only"):
            branch.cancel_answered = resp.status == 200
            branch.cancel_final = branch.cancel_final or resp.status >= 200
            if self.is_("forward-cancel") and ctx.cancel is not None:
                ctx.peer.respond(ctx.cancel, resp.status, headers=_other_headers(resp))
            elif self.is_("relay-cancel-200") and ctx.cancel is not None:
                ctx.peer.send(response_to(ctx.cancel, resp.status, to_tag=resp.to.tag, extra=_other_headers(resp)),
                              to=ctx.source)
            if branch.held is not None and branch.cancel_answered and resp.status == 200:
                self._ack(ctx, branch, branch.held)
            return None
        return self._on_branch_response(ctx, branch, resp)

    def _on_branch_response(self, ctx: _Context, branch: _Branch, resp: Response) -> None:
        invite = ctx.request.method == "INVITE"
        if resp.status == 503 and branch.alternatives and branch.cancel is None and not ctx.final_sent:
            return self._fail_over(ctx, branch)
        if resp.status >= 300 and ctx.final_sent and self.is_("relay-late-finals"):
            ctx.peer.send(pop_via(resp), to=ctx.source)
            return
        if resp.status < 200:
            if branch.state == "calling":
                branch.state = "proceeding"
            branch.tag = branch.tag or resp.to.tag
            if invite and resp.status > 100 and branch.timer_c_at is not None and not self.is_("timer-c-ignores-1xx"):
                branch.timer_c_at = self.reactor.now() + self._timer_c()  # §16.7 step 2
            if branch.cancel_wanted:
                self._send_cancel(ctx, branch, *branch.cancel_wanted)
            if invite and (resp.status > 100 or self.is_("forward-100")):
                try:
                    ctx.peer.respond(ctx.request, resp.status, resp.reason, to_tag=resp.to.tag,
                                     headers=_other_headers(resp), body=resp.body)
                except TransactionError:  # a final response went already: §16.7 step 5, forwarded anyway
                    ctx.peer.send(pop_via(resp), to=ctx.source)
                except SendError:  # §16.9: a transport error upstream cancels nothing
                    if self.is_("cancel-on-transport-error"):
                        self._cancel_all(ctx, "transport-error")
                    if self.is_("drop-on-transport-error", "transport-error-ends-transaction"):
                        self._end_server_transaction(ctx)
                    raise
            return
        branch.state, branch.final = "done", resp
        if invite and resp.status >= 300 and self.fault in _ACK_FAULTS:
            self._ack(ctx, branch, resp)
        if not invite:
            if not ctx.final_sent:
                self._final(ctx, resp)
            return
        if resp.status < 300:
            if not (ctx.final_sent and self.is_("drop-2xx-after-final")):
                ctx.peer.send(pop_via(resp), to=ctx.source)  # 2xx: relayed as is, never retransmitted by us
            ctx.final_sent = True
            no_cancel = "no-cancel" in (ctx.request.header("request-disposition") or "").lower()  # RFC 3841 §9.1
            if not self.is_("no-cancel-on-2xx") and (not no_cancel or self.is_("cancel-despite-no-cancel")):
                self._cancel_all(ctx, "2xx", 'SIP;cause=200;text="Call completed elsewhere"')
        elif resp.status >= 600:
            if self.is_("new-branch-after-6xx"):
                self._new_branch(ctx, branch.invite.uri)
            if not self.is_("no-cancel-on-6xx"):
                self._cancel_all(ctx, "6xx", f"SIP;cause={resp.status}")
            if self.is_("forward-6xx-at-once"):
                self._final(ctx, resp)
        elif self.is_("forward-487-at-once"):
            ctx.peer.send(pop_via(resp), to=ctx.source)
        if resp.status < 600:
            self._send_199(ctx, branch, resp)
        self._maybe_finish(ctx)

    def _fail_over(self, ctx: _Context, branch: _Branch) -> None:
        """RFC 3263 §4.3: a 503 is a failure; the same request, with a new branch, goes to the next server
        (the 503 was ACKed by the client transaction and is not forwarded)."""
        place = ctx.branches.index(branch)
        ctx.branches.remove(branch)
        self._new_branch(ctx, branch.target, branch.alternatives)
        ctx.branches.insert(place, ctx.branches.pop())  # the new branch takes the failed one's place

    def _send_199(self, ctx: _Context, branch: _Branch, resp: Response) -> None:
        """RFC 6228 §6: a non-2xx final that ends an early dialog, held while other branches go on: a 199 upstream
        with that dialog's To tag and the final's code as Reason, if the UAC supports 199 and no final went up."""
        req = ctx.request
        wants = "199" in (req.header("supported") or "") and "100rel" not in (req.header("require") or "")
        if (self.is_("no-199") or not wants or ctx.final_sent or branch.tag is None
                or all(b.state == "done" for b in ctx.branches)):
            return
        ctx.peer.respond(req, 199, "Early Dialog Terminated", to_tag=branch.tag,
                         headers=[("Reason", f"SIP;cause={resp.status}")])

    def _on_timer_c(self, ctx: _Context, branch: _Branch) -> bool:
        """§16.8: a branch with a provisional is cancelled, one without ends as if 408 came; True if it ended."""
        branch.timer_c_at = None
        if branch.state == "proceeding" and not self.is_("timer-c-no-cancel"):
            if branch.cancel is None:
                self._send_cancel(ctx, branch, "timer-c")
            return False
        branch.state = "done"
        return True

    def _ack(self, ctx: _Context, branch: _Branch, resp: Response) -> None:
        if self.is_("no-ack") or (self.is_("ack-after-cancel-200") and branch.cancel is not None
                                  and not branch.cancel_answered):
            branch.held = resp
            return
        branch.held = None
        ack = ack_for_non2xx(branch.invite, resp)
        if self.is_("ack-without-from-tag"):
            ack = ack.set_header("From", branch.invite.from_.without_tag())
        if self.is_("ack-to-without-tag"):
            ack = ack.set_header("To", branch.invite.to.text)
        if self.is_("ack-two-vias"):
            ack = ack.insert_header(1, "Via", ctx.request.top_via.text)
        if self.is_("ack-without-route"):
            ack = ack.remove_header("route")
        if self.is_("ack-with-body"):
            ack = ack.set_header("Content-Type", "text/plain").with_body(b"bye")
        branch.peer.send(ack, branch.dest)
        if not self.is_("ack-final-once"):  # §17.1.1.2: each copy of the final gets this ACK again, faulty as it is
            self._resend_ack_on_copies(branch, ack)

    @staticmethod
    def _resend_ack_on_copies(branch: _Branch, ack: Request) -> None:
        """The branch's INVITE client transaction sends ``ack`` again for each retransmitted final response."""
        entry = branch.peer._clients.get((branch.invite.top_via.branch, "INVITE"))  # noqa: SLF001 - a test device
        if entry is not None:
            entry.tx.ack, entry.tx.auto_ack = ack, True

    def _final(self, ctx: _Context, resp: Response | None, status: int = 0) -> None:
        ctx.final_sent = True
        if resp is None:
            ctx.peer.respond(ctx.request, status)
        else:
            ctx.peer.respond(ctx.request, resp.status, resp.reason, to_tag=resp.to.tag, headers=_other_headers(resp))

    def _maybe_finish(self, ctx: _Context) -> None:
        """§16.7 step 6: every branch ended and nothing final sent: the best final (a 6xx wins)."""
        if ctx.final_sent or any(b.state != "done" for b in ctx.branches):
            return
        if ctx.cancel is not None and self.is_("delay-cancel-200"):
            ctx.peer.respond(ctx.cancel, 200)
        if ctx.cancel is not None and self.is_("no-final-after-cancel"):
            ctx.final_sent = True
            return
        finals = [b.final for b in ctx.branches if b.final is not None]
        best = min(finals, key=lambda r: (r.status < 600, r.status // 100, r.status), default=None)
        if best is None and ctx.request.method != "INVITE":
            ctx.final_sent = True  # RFC 4320 §4.2: no 408 to a non-INVITE request
            return
        self._final(ctx, best, 487 if ctx.cancel is not None else 408)

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
                if branch.state != "done" and (key in branch.peer._timed_out or gave_up):  # noqa: SLF001
                    branch.state, ended = "done", True
            if ended:
                self._maybe_finish(ctx)
        if self.is_("resend-cancel-on-200-copy"):
            self._resend_cancel_on_200_copy()
        if self.is_("stateful-unmatched-cancel-408"):  # Timer F of a context-less CANCEL: 408 upstream
            for branch, (up, cancel, _src, down) in list(self._relayed.items()):
                if (branch, "CANCEL") in down._timed_out:  # noqa: SLF001
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
