"""Encryption at rest for channel credentials (Fernet, a key derived from settings)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

_SALT = b"civic.social.credentials.v1"


def _fernet() -> Fernet:
    secret = getattr(settings, "SOCIAL_TOKEN_KEY", "") or settings.SECRET_KEY
    # A key derivation with a fixed salt: the secret itself is never stored next to the data.
    raw = hashlib.pbkdf2_hmac("sha256", secret.encode(), _SALT, 100_000, dklen=32)
    return Fernet(base64.urlsafe_b64encode(raw))


_cache: dict[str, Fernet] = {}


def fernet() -> Fernet:
    secret = getattr(settings, "SOCIAL_TOKEN_KEY", "") or settings.SECRET_KEY
    if secret not in _cache:
        _cache[secret] = _fernet()
    return _cache[secret]


def encrypt(values: dict[str, Any]) -> str:
    return fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt(token: str) -> dict[str, Any]:
    """The stored credentials; an empty dict when there are none or the key has changed."""
    if not token:
        return {}
    try:
        return json.loads(fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        return {}
