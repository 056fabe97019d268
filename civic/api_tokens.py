"""API tokens: made with a random key that is shown once, stored only as its SHA-256 digest.

A request's `Authorization: Token <key>` is looked up by the digest of the key it sends, so a
copy of the database opens nothing. When a token was last used is written at most once a minute
per token, not on every request.

Each web worker keeps the tokens it found valid, with their owners, so a client sending request
after request (a support storm's residents, an integration) is not looked up in the database
each time. Every owner has a version in the shared cache: revoking a token, changing the owner's
role, deactivating or erasing the account moves it on (`forget_owner`, after the commit), and a
worker whose copy carries another version reads the token again, so the change holds on every
worker from the next request. A copy is also read again after API_TOKEN_LOCAL_SECONDS whatever
the version says (changes made outside the services), and never used while the cache cannot
say the version (Redis down): then every request reads the database, as without the copies.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from . import tenancy
from .models import ApiToken, role_here_annotations

PREFIX_LENGTH = 8
# Writing "last used" on every request would put a write on every API read.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def new_key() -> str:
    # 40 characters like the keys clients already hold (rest_framework.authtoken's format).
    return secrets.token_hex(20)


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _owner_version_key(owner_id: int) -> str:
    return f"api-tokens:owner-version:{owner_id}"


# digest -> (owner's version, read until (monotonic), the token with its owner), per worker.
_kept: dict[str, tuple[object, float, ApiToken]] = {}
# digest -> owner id: a token never changes hands, so this needs no version.
_owners: dict[str, int] = {}
_kept_lock = threading.Lock()
# A bound on the tokens one worker remembers (the oldest go first).
KEPT_TOKENS = 10_000


def _owner_version(owner_id: int):
    """The owner's current version, started from the clock when the cache has none (never set,
    evicted, restarted): a copy is never trusted against a version that is missing. None while
    the cache cannot answer."""
    key = _owner_version_key(owner_id)
    version = cache.get(key)
    if version is None:
        started = time.time_ns()
        if cache.add(key, started, timeout=None):
            return started
        version = cache.get(key)
    return version


def forget_owner(owner_id: int) -> None:
    """Every worker reads this person's tokens again from the next request on (after the
    current transaction commits): a token revoked, a role changed, an account deactivated or
    erased."""
    from .changes import after_commit, next_version

    after_commit(lambda: next_version(_owner_version_key(owner_id)))


def forget_kept() -> None:
    """Drop this worker's copies (tests that play a second worker, benchmarks)."""
    with _kept_lock:
        _kept.clear()
        _owners.clear()


def token_for_key(key: str) -> ApiToken | None:
    """The active token `key` opens, with its owner; None for an unknown or revoked key."""
    if not key or len(key) > 200:
        return None
    digest = digest_of(key)
    seconds = settings.API_TOKEN_LOCAL_SECONDS
    owner_id = _owners.get(digest) if seconds > 0 else None
    version = None
    if owner_id is not None:
        # The version is read before the row: a change committed after this moves it on, so a
        # copy stored below is never newer than its version says.
        version = _owner_version(owner_id)
        kept = _kept.get(digest)
        if (
            kept is not None
            and version is not None
            and kept[0] == version
            and time.monotonic() < kept[1]
        ):
            return _touched(_copy(kept[2]), digest)
    tokens = ApiToken.objects.select_related("owner").filter(digest=digest, revoked_at__isnull=True)
    municipality_id = tenancy.active_id()
    if municipality_id is not None:
        # The owner's role in the municipality served, read with the token.
        tokens = tokens.annotate(**role_here_annotations("owner_id", municipality_id, "owner_"))
    token = tokens.first()
    if token is not None and municipality_id is not None:
        token.owner.note_held(municipality_id, token.owner_here_role, token.owner_here_limited)
        token.owner.note_consent(municipality_id, token.owner_here_consented)
    if token is None:
        with _kept_lock:
            _kept.pop(digest, None)
        return None
    if seconds <= 0:
        return _touched(token, digest)
    with _kept_lock:
        if len(_owners) >= KEPT_TOKENS:
            oldest = next(iter(_owners))
            _owners.pop(oldest, None)
            _kept.pop(oldest, None)
        _owners[digest] = token.owner_id
        # The first time a worker meets a token it knows no owner to ask the version of, so
        # the copy is kept from the second request on.
        if version is not None and owner_id == token.owner_id:
            _kept[digest] = (version, time.monotonic() + seconds, token)
    return _touched(_copy(token), digest)


def _copy(token: ApiToken) -> ApiToken:
    # Each request gets its own token and owner (threads share the worker's copy, and a request
    # may note things on its user, such as whether the eID was checked).
    mine = copy.copy(token)
    owner = copy.copy(token.owner)
    mine.owner = owner
    return mine


def _touched(token: ApiToken, digest: str) -> ApiToken:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        kept = _kept.get(digest)
        if kept is not None:
            kept[2].last_used_at = now
    return token
