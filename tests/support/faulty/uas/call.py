"""What the faulty UAS remembers of an INVITE it received (the TU's view: its dialog, if any)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sipconform.peer import SipPeer
from sipconform.sip import Request, Response

Address = tuple[str, int]


@dataclass
class Call:
    """An INVITE the device received, and what it did with it."""

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
    held: int | None = None         # a final status a fault holds back (until the PRACK)
    reliable: list[Response] = field(default_factory=list)  # reliable provisionals sent (RFC 3262), in RSeq order
    unacked: set[int] = field(default_factory=set)          # their RSeq values no PRACK acknowledged yet

    @property
    def pending(self) -> bool:
        return self.final is None

    def in_dialog(self, req: Request) -> bool:
        """Does ``req`` belong to this call's (early or confirmed) dialog (§12.2.2)?"""
        return (req.call_id == self.invite.call_id and req.from_.tag == self.invite.from_.tag
                and req.to.tag == self.to_tag)
