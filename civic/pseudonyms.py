"""The pseudonym a resident appears under, per municipality.

Every account has one stored code (`User.pseudonym_code`, "Resident 7SX2Y4"). On an installation
serving several municipalities, showing that code everywhere would let anyone link a person's
comment in Harstad to their idea in København, although they chose to show no name. So each
municipality shows a code derived from the stored one with its own secret
(`Municipality.pseudonym_key`): stable there, unlinkable elsewhere without the secrets, and
computed, so naming an author costs no query. The first municipality of an upgraded
installation has no secret and keeps showing the stored codes it has already published.

A name the person chose to show (`display_name` with `show_name_publicly`) is the same
everywhere: that is their choice (README, "Many municipalities on one installation").
"""

from __future__ import annotations

import hashlib
import hmac

from . import tenancy
from .models import PSEUDONYM_ALPHABET

# Longer than the stored six characters: derived codes are not checked for uniqueness, and at
# 32**8 two of a municipality's 100,000 residents share one with a chance of about 1 in 200.
DERIVED_LENGTH = 8


def code_here(stored_code: str, municipality=None) -> str:
    """The code shown for `stored_code` in `municipality` (by default the one served)."""
    if not stored_code:
        return stored_code
    if municipality is None:
        served = tenancy.current()
    else:
        served = tenancy.served(getattr(municipality, "id", municipality))
    key = getattr(served, "pseudonym_key", "") if served is not None else ""
    if not key:
        return stored_code
    digest = hmac.new(key.encode(), stored_code.encode(), hashlib.sha256).digest()
    # 32 letters: a byte modulo 32 is uniform.
    return "".join(PSEUDONYM_ALPHABET[byte % 32] for byte in digest[:DERIVED_LENGTH])
