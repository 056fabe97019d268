"""API tokens: made with a random key that is shown once, stored only as its SHA-256 digest.

A request's `Authorization: Token <key>` is looked up by the digest of the key it sends, so a
copy of the database opens nothing. When a token was last used is written at most once a minute
per token, not on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from .models import ApiToken

PREFIX_LENGTH = 8
# Writing "last used" on every request would put a write on every API read.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def new_key() -> str:
    # 40 characters like the keys clients already hold (rest_framework.authtoken's format).
    return secrets.token_hex(20)


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_for_key(key: str) -> ApiToken | None:
    """The active token `key` opens, with its owner; None for an unknown or revoked key."""
    if not key or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("owner")
        .filter(digest=digest_of(key), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
