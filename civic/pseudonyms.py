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

import functools
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
    return _derived(key, stored_code) if key else stored_code


# An HMAC costs ~4 µs, ten times the rest of naming an author: a topic page of a hundred
# comments by the same few dozen people asks for the same codes again and again.
@functools.lru_cache(maxsize=16384)
def _derived(key: str, stored_code: str) -> str:
    digest = hmac.new(key.encode(), stored_code.encode(), hashlib.sha256).digest()
    # 32 letters: a byte modulo 32 is uniform.
    return "".join(PSEUDONYM_ALPHABET[byte % 32] for byte in digest[:DERIVED_LENGTH])


def accounts_shown_as(shown: str, people) -> list[int]:
    """The ids among `people` (a queryset of accounts) whom the municipality being served shows
    under the code `shown`, for staff who look up a resident named in the audit log. A derived
    code cannot be looked up in the database, so each account's is computed: one pass over
    `people`, only for a term that looks like a derived code."""
    shown = shown.strip().upper()
    served = tenancy.current()
    if (
        served is None
        or not served.pseudonym_key
        or len(shown) != DERIVED_LENGTH
        or any(letter not in PSEUDONYM_ALPHABET for letter in shown)
    ):
        return []
    return [
        pk
        for pk, stored in people.values_list("pk", "pseudonym_code").iterator(chunk_size=5000)
        if stored and _derived(served.pseudonym_key, stored) == shown
    ]
