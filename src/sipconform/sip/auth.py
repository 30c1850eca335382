"""RFC 2617 Digest authentication as RFC 3261 §22.2 uses it: a request re-sent with credentials for a
401/407 challenge. Sans-IO: no sockets, no clock."""

from __future__ import annotations

import hashlib
import re

from sipconform.sip.message import Request, Response

__all__ = ["authorized_retry"]

_PARAM = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))')


def authorized_retry(invite: Request, challenge: Response, *, user: str, password: str, branch: str) -> Request:
    """The INVITE re-sent with credentials for a 401/407 ``challenge`` (§22.2, RFC 2617 Digest with MD5,
    qop ``auth`` if offered): new branch and CSeq number + 1, same Call-ID and From tag (§8.1.3.5)."""
    proxy = challenge.status == 407
    offer = challenge.header("proxy-authenticate" if proxy else "www-authenticate") or ""
    params = {k.lower(): a or b for k, a, b in _PARAM.findall(offer)}
    realm, nonce = params.get("realm", ""), params.get("nonce", "")
    cseq = invite.cseq.number + 1

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - RFC 2617 Digest is MD5

    ha1, ha2 = md5(f"{user}:{realm}:{password}"), md5(f"INVITE:{invite.uri}")
    fields = [f'username="{user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{invite.uri}"', "algorithm=MD5"]
    if "auth" in [q.strip() for q in params.get("qop", "").split(",")]:
        cnonce = hashlib.sha1(branch.encode()).hexdigest()[:16]  # noqa: S324 - a client nonce, not a secret
        fields += [f'response="{md5(f"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}")}"', "qop=auth", "nc=00000001",
                   f'cnonce="{cnonce}"']
    else:
        fields.append(f'response="{md5(f"{ha1}:{nonce}:{ha2}")}"')
    if "opaque" in params:
        fields.append(f'opaque="{params["opaque"]}"')
    top = invite.top_via
    retry = invite.set_header("Via", f"{top.sent_protocol} {top.sent_by};branch={branch}")
    retry = retry.set_header("CSeq", f"{cseq} INVITE")
    header = "Proxy-Authorization" if proxy else "Authorization"
    return retry.append_header(header, "Digest " + ", ".join(fields))
