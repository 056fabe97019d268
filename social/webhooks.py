"""Verification of Facebook (Meta) webhook deliveries."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_PREFIX = "sha256="


def sign(raw_body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` value Meta sends for `raw_body`."""
    digest = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify_signature(raw_body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether `header` is Meta's signature of exactly these bytes.

    Must run on the raw request body: a body parsed and re-serialised differs by a byte and
    fails. The comparison takes constant time so the signature cannot be guessed byte by byte.
    """
    if not header or not app_secret or not header.startswith(SIGNATURE_PREFIX):
        return False
    return hmac.compare_digest(sign(raw_body, app_secret).encode(), header.strip().encode())


def verify_challenge(params: dict[str, str], verify_token: str) -> str | None:
    """The challenge to echo for a subscription check, or None to answer 403."""
    if (
        params.get("hub.mode") == "subscribe"
        and verify_token
        and hmac.compare_digest(params.get("hub.verify_token", "").encode(), verify_token.encode())
    ):
        return params.get("hub.challenge", "")
    return None
