"""The faulty UAS's TU: what RFC 3261 asks of a UAS, no more, with each fault changing one behaviour.

- INVITE to the ``[targets]`` users: ``ring`` -> 180 with a To tag, stays pending (a reliable 180, RFC
  3262, when the INVITE has ``100rel`` in Supported or Require), the 180 sent again every ``ringing_refresh``
  (§13.3.1.1: "at every minute"; the device's is 64*T1, well within); ``trying`` -> 100 only; ``answer`` -> 200
  at once, retransmitted until ACK (§13.3.1.4, "Accepted"); ``busy`` -> 486. Any other user -> 404.
- re-INVITE: see ``reinvite`` (RFC 6141: a reliable 183 with the SDP answer, held until CANCEL -> 2xx).
- CANCEL (§9.2): see ``cancel_faults``. Pending INVITE: 200 with the INVITE's To tag, then 487.
  Already answered: 200 and no effect. No match: 481.
- PRACK (RFC 3262 §3): 200 when its RAck names a reliable provisional of the call (which stops that
  one's retransmissions), also after the final response; else 481.
- BYE (§15.1.2): early dialog -> 200, and 487 on the pending INVITE; confirmed -> 200; otherwise 481.
- The upper tester's ``reject`` (``control``): the newest call ringing gets 486 (§15: the callee ends an
  early dialog with a non-2xx final response, never a BYE).
  ACK: taken. OPTIONS: 200. Anything else: 501.
- A call nobody cancels stops ringing after ``ring_timeout`` (480); finished calls are forgotten after ``linger``.

``stateless=True`` (and the faults of ``STATELESS_FAULTS``) make a stateless UAS (§8.2.7): no provisional
responses, every INVITE answered at once (``answer`` 200, else 486), CANCEL ignored. Its transactions are
still the peer's (a self-test shortcut): only what §8.2.7 lets one observe on the wire differs.
"""

from __future__ import annotations

from functools import partial

from faulty import control
from faulty.shell import TIMERS, DeviceLoop
from faulty.table import Seams
from faulty.table_uas import UAS
from sipconform.peer import SipPeer
from sipconform.sip import Request, Timers
from sipconform.sip.timers import PROVISIONAL_REFRESH_INTERVAL
from sipconform.sip.via import SERVER_VIA_PARAMS

from .call import Call
from .cancel_faults import answer_cancel, end_cancelled_invite, matches, refusal
from .faults import (
    ALLOW,
    FAULTS,
    SLOW_PROVISIONAL_DELAY,
    STATELESS_FAULTS,
    TRANSPORT_ERROR_ENDS,
    VIA_PARAMS_OF,
    route_to_sent_by,
)
from .reinvite import end_cancelled_reinvite, executed, on_reinvite
from .sending import RFC3261_INVITE_SERVER, Edit, build_response, deliver, send

TARGETS = {"ring": "ring", "trying": "trying", "answer": "answer", "busy": "busy"}
"""``[targets]`` of the profile: behaviour -> Request-URI user (the same words)."""


class FaultyUas(DeviceLoop):
    """A UAS on ``host`` (UDP and TCP, one ephemeral port), conformant when ``fault`` is None."""

    def __init__(self, fault: str | None = None, *, host: str = "127.0.0.1", timers: Timers = TIMERS,
                 targets: dict[str, str] | None = None, ring_timeout: float | None = None,
                 linger: float | None = None, stateless: bool = False) -> None:
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        self.fault = fault
        self.seams = Seams(UAS, fault)
        self.stateless = stateless or fault in STATELESS_FAULTS
        self.name = f"faulty-{fault}" if fault else ("conformant-stateless" if self.stateless else "conformant")
        super().__init__(host=host, timers=timers)
        self.targets = dict(targets or TARGETS)
        self._behaviour_of = {user: behaviour for behaviour, user in self.targets.items()}
        # the "no-ringing-refresh" device rings past §13.3.1.1's minute, so that its one 180 is seen to go stale
        ringing = 2 * PROVISIONAL_REFRESH_INTERVAL if fault == "no-ringing-refresh" else 192 * timers.t1
        self.ring_timeout = ring_timeout if ring_timeout is not None else ringing
        self.ringing_refresh = 64 * timers.t1
        self.linger = linger if linger is not None else 256 * timers.t1
        self.calls: list[Call] = []
        self.answered_options: list[tuple[SipPeer, Request]] = []  # for the "options-cancelled-487" fault

    def __enter__(self) -> FaultyUas:
        return self.start()

    # -- DeviceLoop hooks ---------------------------------------------------------------------------------
    def peer_options(self) -> dict[str, object]:
        return {"via_params": VIA_PARAMS_OF.get(self.fault or "", SERVER_VIA_PARAMS),
                "route_by_via": self.fault != "response-to-source-port"}

    def capabilities_toml(self) -> str:
        return (f"rfc6026 = true\nreliable_provisional = true\n"
                f"stateless_uas = {'true' if self.stateless else 'false'}\n")

    def profile_toml(self) -> str:
        users = "".join(f'{behaviour} = "{user}"\n' for behaviour, user in self.targets.items())
        return (f"{self.profile_head('uas')}[capabilities]\n{self.capabilities_toml()}\n[targets]\n{users}\n"
                + (control.profile_toml(self.control.getsockname()[1]) if self.control else ""))

    def on_request(self, peer: SipPeer, req: Request) -> None:
        if self.fault == "rport-ignored":
            route_to_sent_by(peer, req)
        if self.stateless:
            self._stateless(peer, req)
            return
        handler = {"INVITE": self._on_invite, "CANCEL": self._on_cancel, "ACK": self._on_ack, "BYE": self._on_bye,
                   "OPTIONS": self._on_options, "PRACK": self._on_prack}.get(req.method)
        if handler is None:
            peer.respond(req, 501, headers=[("Allow", ALLOW)])
            return
        handler(peer, req)

    def tend(self, now: float) -> None:
        """The no-answer timer for calls left ringing; forget calls finished long ago."""
        for call in list(self.calls):
            if call.pending and self.fault == "drop-on-transport-error" and _transaction_gone(call):
                self.calls.remove(call)  # the transaction a transport error ended takes the call with it
            elif call.pending and self.fault == "connection-close-cancels" and _connection_closed(call):
                self.attempt(partial(self.end_invite, call, 487))
            elif call.pending and now - call.started > self.ring_timeout:
                self.attempt(partial(self.end_invite, call, 480, "No Answer"))
            elif call.ended_at is not None and not call.dialog and now - call.ended_at > self.linger:
                self.calls.remove(call)
            elif call.dialog and now - call.started > self.ring_timeout + self.linger:
                self.calls.remove(call)

    # -- responses to the INVITE -------------------------------------------------------------------------
    def end_invite(self, call: Call, status: int, reason: str | None = None, *, to_tag: str | None = None,
                   edit: Edit | None = None, retransmit: bool | None = None) -> None:
        """Send the INVITE's final response and record it (through the seam ``final`` if a data row edits it)."""
        if edit is None and self.seams.at("final"):
            edit = lambda r: self.seams.outgoing("final", r, status=status, to=call.invite.to.text)  # noqa: E731
        call.final = status
        call.ended_at = call.peer.clock.now()
        call.dialog = 200 <= status < 300
        call.response = send(call.peer, call.invite, status, reason=reason, to_tag=to_tag or call.to_tag,
                             edit=edit, source=call.source, retransmit=retransmit)
        if self.fault == "new-reliable-180-after-final" and call.reliable:
            self.send_reliable(call)

    def _ringing(self, call: Call) -> None:
        if wants_100rel(call.invite):
            self.send_reliable(call)
        else:
            call.peer.respond(call.invite, 180, to_tag=call.to_tag)

    def _refresh_ringing(self, call: Call) -> None:
        """§13.3.1.1: "the UAS MUST send a non-100 provisional response at every minute": the 180 again every
        ``ringing_refresh`` while the call rings (a new reliable one once the last is PRACKed, RFC 3262 §3)."""
        if self.fault == "no-ringing-refresh":
            return

        def again() -> None:
            if call.pending and call.behaviour == "ring":
                if not call.unacked:
                    self._ringing(call)
                self._refresh_ringing(call)
        self.later(call.peer.clock.now() + self.ringing_refresh, again)

    def send_reliable(self, call: Call, status: int = 180, body: bytes = b"") -> None:
        """RFC 3262 §3: a ``status`` provisional with Require: 100rel and the next RSeq, retransmitted from T1
        on, doubling, until its PRACK or the final response (or 64*T1)."""
        rseq = len(call.reliable) + 1
        response = build_response(call.peer, call.invite, status, to_tag=call.to_tag, body=body,
                                  headers=[("Require", "100rel"), ("RSeq", str(rseq))])
        call.reliable.append(response)
        call.unacked.add(rseq)
        deliver(call.peer, call.invite, response, source=call.source)
        self._retransmit_reliable(call, rseq, call.peer.clock.now(), self.timers.t1)

    def _retransmit_reliable(self, call: Call, rseq: int, first: float, interval: float) -> None:
        def again() -> None:
            outlives_final = self.fault == "reliable-180-outlives-final"
            if rseq not in call.unacked or (call.final is not None and not outlives_final):
                return
            if call.peer.clock.now() - first >= 64 * self.timers.t1:
                return
            deliver(call.peer, call.invite, call.reliable[rseq - 1], source=call.source)
            self._retransmit_reliable(call, rseq, first, 2 * interval)
        self.later(call.peer.clock.now() + interval, again)

    # -- the TU ----------------------------------------------------------------------------------------
    def _on_options(self, peer: SipPeer, req: Request) -> None:
        without_cancel = self.fault in ("cancel-not-allowed-405", "allow-without-cancel")
        peer.respond(req, 200, headers=[("Allow", ALLOW.replace("CANCEL, ", "") if without_cancel else ALLOW),
                                        ("Accept", "application/sdp")])
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
                self.later(now + k * self.timers.t1, lambda: call.peer.send(response, to=call.source))

    def _on_invite(self, peer: SipPeer, req: Request) -> None:
        if req.to.tag is not None:
            on_reinvite(self, peer, req, self._dialog_for(req), reliable=wants_100rel(req))
            return
        behaviour = self._behaviour_of.get(req.request_uri.user or "")
        if behaviour is None:
            peer.respond(req, 404)
            return
        call = Call(peer, req, peer.source_of(req), peer.new_tag(), behaviour, peer.clock.now())
        self.calls.append(call)
        entry = peer.transaction_of(req)
        if self.fault in TRANSPORT_ERROR_ENDS and entry is not None:
            entry.tx.machine = RFC3261_INVITE_SERVER
        if behaviour == "ring":
            if self.fault == "slow-provisional":  # the 180 late, and nothing before it; the rest as usual
                self.later(peer.clock.now() + SLOW_PROVISIONAL_DELAY, lambda: call.pending and self._ringing(call))
            else:
                self._ringing(call)
            self._refresh_ringing(call)
            self._expire_invitation(call)
        elif behaviour == "trying":
            peer.respond(req, 100)
        elif behaviour == "answer":
            self.end_invite(call, 200)
            if self.fault == "accepted-forgets-invite" and (entry := peer.transaction_of(req)) is not None:
                peer.forget(entry)  # the fault: RFC 3261's transaction, gone with its 2xx
        else:
            self.end_invite(call, 486)

    def _expire_invitation(self, call: Call) -> None:
        """§13.3.1: "If the invitation expires before the UAS has generated a final response, a 487 (Request
        Terminated) response SHOULD be generated." (Expires in seconds, §20.19.)"""
        expires = call.invite.header_values("expires")
        if self.fault == "expires-ignored" or not expires or not expires[0].strip().isdigit():
            return
        self.later(call.started + int(expires[0].strip()), lambda: call.pending and self.end_invite(call, 487))

    # -- the upper tester --------------------------------------------------------------------------------
    def on_control(self, word: str) -> str:
        """``reject``: the user declines the newest call ringing (486 Busy Here); the faults of §15 send a
        BYE in its early dialog instead, or a CANCEL before the 486."""
        if word != "reject":
            return super().on_control(word)
        call = next((c for c in reversed(self.calls) if c.pending and c.behaviour == "ring"), None)
        if call is None:
            return "no call ringing"
        if self.fault in ("bye-on-reject", "cancel-on-reject"):
            method = "BYE" if self.fault == "bye-on-reject" else "CANCEL"
            tagged = call.invite.set_header("To", f"{call.invite.to.text};tag={call.to_tag}")
            call.peer.send(call.peer.request(method, in_dialog_of=tagged), call.source)
            if method == "BYE":
                call.behaviour = "hung up"  # ... and the INVITE left without a final response
                return "ok"
        self.end_invite(call, 486)
        return "ok"

    def _dialog_for(self, req: Request) -> Call | None:
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
        self.end_invite(call, 480 if self.fault == "bye-early-480" else 487)

    def _on_prack(self, peer: SipPeer, req: Request) -> None:
        """RFC 3262 §3: a PRACK whose RAck names a reliable provisional of the call gets a 200 and stops its
        retransmissions; the UAS "MUST be prepared to process PRACK requests" after its final response too."""
        in_dialog = [c for c in self.calls if c.in_dialog(req)]  # the INVITE's and its re-INVITEs'
        call = next((c for c in in_dialog if _rack_rseq(req, c) is not None), None)
        rseq = _rack_rseq(req, call)
        if call is None or rseq is None:
            peer.respond(req, 481)
            return
        if self.fault == "prack-after-final-unanswered" and not call.pending:
            return
        call.unacked.discard(rseq)
        peer.respond(req, 200)
        if call.held is not None and not call.unacked:
            self.end_invite(call, call.held)

    # -- CANCEL ------------------------------------------------------------------------------------------
    def _cancelled_call(self, cancel: Request) -> Call | None:
        matched = [c for c in self.calls if matches(self.fault, c.invite, cancel)]
        return next((c for c in matched if c.pending), matched[0] if matched else None)

    def _on_cancel(self, peer: SipPeer, req: Request) -> None:
        if (refused := refusal(self.fault, req)) is not None:
            status, reason, headers = refused
            peer.respond(req, status, reason, headers=headers)
            return
        call = self._cancelled_call(req)
        if call is None:  # §9.2: "it SHOULD respond to the CANCEL with a 481"
            peer.respond(req, self._unmatched_status(req))
        elif not call.pending:  # §9.2: "the CANCEL request has no effect": 200 (it matched) and nothing else
            self._after_final(call, peer, req)
        elif self.fault == "no-200-to-cancel":  # cancels, then answers as if the transaction were already gone
            call.cancelled = True
            self.end_invite(call, 487)
            peer.respond(req, 481)
        else:
            call.cancelled = True
            answer_cancel(self, call, peer, req)
            if self.fault == "487-waits-for-prack" and call.unacked:
                call.held = 487  # ... sent once the reliable 180 is PRACKed
            elif executed(call):
                end_cancelled_reinvite(self, call)
            else:
                end_cancelled_invite(self, call)

    def _unmatched_status(self, req: Request) -> int:
        fault = self.fault
        if fault == "cancel-merged-482" and self._shares_dialog_fields(req):
            return 482
        if fault == "options-cancelled-487" and (options := self._cancelled_options(req)) is not None:
            options_peer, options_req = options
            send(options_peer, options_req, 487, edit=lambda r: r, bypass=True,
                 source=options_peer.source_of(options_req))
            return 200
        return {"unmatched-cancel-200": 200, "487-to-cancel": 487}.get(fault or "", 481)

    def _shares_dialog_fields(self, cancel: Request) -> bool:
        """Does a pending INVITE have the CANCEL's From tag, Call-ID and CSeq number (the §8.2.2.2 fields)?"""
        return any(c.pending and c.invite.call_id == cancel.call_id and c.invite.from_.tag == cancel.from_.tag
                   and c.invite.cseq.number == cancel.cseq.number for c in self.calls)

    def _cancelled_options(self, cancel: Request) -> tuple[SipPeer, Request] | None:
        """The answered OPTIONS whose branch the CANCEL carries (the "options-cancelled-487" fault)."""
        return next(((p, r) for p, r in self.answered_options
                     if r.top_via.branch == cancel.top_via.branch and r.call_id == cancel.call_id), None)

    def _after_final(self, call: Call, peer: SipPeer, req: Request) -> None:
        fault = self.fault
        if (fault in ("cancel-timer-j-short", "cancel-copy-481") and call.cancelled) or (
                fault == "cancel-after-2xx-481" and call.dialog):
            peer.respond(req, 481)
            return
        peer.respond(req, 200, to_tag=call.to_tag)
        if fault == "cancel-after-final-487":
            send(call.peer, call.invite, 487, to_tag=call.to_tag, edit=lambda r: r, source=call.source)
        elif fault == "late-cancel-kills-dialog":
            call.dialog = False

    # -- a stateless UAS (§8.2.7) -----------------------------------------------------------------------
    def _stateless(self, peer: SipPeer, req: Request) -> None:
        """No provisional responses, INVITE answered at once, ACK absorbed, CANCEL ignored ("A stateless UAS
        MUST ignore CANCEL requests"), unless the fault answers it as if it had looked for the INVITE."""
        if req.method == "CANCEL":
            if self.fault == "stateless-answers-cancel":
                peer.respond(req, 481)
            return
        if req.method == "INVITE":
            answer = self._behaviour_of.get(req.request_uri.user or "") == "answer"
            peer.respond(req, 200 if answer else 486, to_tag=peer.new_tag())
        elif req.method != "ACK":
            peer.respond(req, 200 if req.method == "OPTIONS" else 501, headers=[("Allow", ALLOW)])


def wants_100rel(invite: Request) -> bool:
    """RFC 3262 §3: the UAC asked for (Require) or offered (Supported) reliable provisional responses."""
    tags = [*invite.header_values("require"), *invite.header_values("supported")]
    return any(t.strip().lower() == "100rel" for value in tags for t in value.split(","))


def _rack_rseq(prack: Request, call: Call | None) -> int | None:
    """The RSeq a PRACK's RAck ("RSeq CSeq-number method", RFC 3262 §7.2) names, if it is one of the call's."""
    if call is None or not prack.has("rack"):
        return None
    parts = prack.header_values("rack")[0].split()
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    rseq, number, method = int(parts[0]), int(parts[1]), parts[2].upper()
    known = number == call.invite.cseq.number and method == "INVITE" and 1 <= rseq <= len(call.reliable)
    return rseq if known else None


def _transaction_gone(call: Call) -> bool:
    return call.peer.transaction_of(call.invite) is None


def _connection_closed(call: Call) -> bool:
    entry = call.peer.transaction_of(call.invite)
    return entry is not None and entry.conn is not None and not entry.conn.open


__all__ = ["FaultyUas", "TARGETS", "wants_100rel"]
