"""Per-person and per-address limits on writes (settings.RATE_LIMITS), kept in the cache.

A fixed window per action: "10/h" allows ten attempts per hour from one account, and
RATE_LIMIT_IP_FACTOR times as many from one IP address, because a school, a library or a town
hall's guest network puts many people behind one address. The limit is a brake on floods and
scripts, not an accounting record, so a cache that forgets (restart, eviction, Redis down) only
ever errs on the side of letting people act.

HTML views and API views share one rule: `check(request, action)` raises `RateLimited`, which
`too_many_response` turns into a readable 429 page and `raise_for_api` into DRF's 429.
"""

import hashlib
import math

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from .client_address import client_ip

__all__ = [
    "RateLimited",
    "check",
    "check_key",
    "client_ip",
    "hit",
    "mail_limit_message",
    "raise_for_api",
    "too_many_response",
]

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(Exception):
    """Too many attempts of one action; `wait` is the number of seconds until the next window."""

    def __init__(self, action: str, wait: int):
        self.action = action
        self.wait = wait
        super().__init__(message(wait))


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/h' -> (10, 3600). The period may carry a number of units: '5/10m'."""
    count, _slash, period = rate.partition("/")
    period = period.strip()
    units = int(period[:-1]) if period[:-1].isdigit() else 1
    return int(count), units * PERIODS[period[-1]]


def hit(request, action: str) -> bool:
    """Count one attempt; True when it is over the limit for this person or address."""
    try:
        check(request, action)
    except RateLimited:
        return True
    return False


def check(request, action: str) -> None:
    """Count one attempt; raise RateLimited when it is over the limit."""
    current = _current_window(action)
    if current is None:
        return
    limit, period, window, wait = current
    limits = {
        f"throttle:{action}:ip:{client_ip(request)}:{window}": limit
        * max(1, settings.RATE_LIMIT_IP_FACTOR)
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        limits[f"throttle:{action}:user:{user.pk}:{window}"] = limit
    counts = _counts(list(limits), timeout=period + 5)
    if any(count > allowed for count, allowed in zip(counts, limits.values(), strict=True)):
        raise RateLimited(action, wait=wait)


def check_key(action: str, key: str) -> None:
    """Count one attempt of `action` for `key` (say, the e-mail address a message goes to),
    whoever makes it and from wherever; raise RateLimited when it is over settings.RATE_LIMITS.

    The key is stored only as a hash, so the cache holds no addresses.
    """
    current = _current_window(action)
    if current is None:
        return
    limit, period, window, wait = current
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()
    (count,) = _counts([f"throttle:{action}:key:{digest}:{window}"], timeout=period + 5)
    if count > limit:
        raise RateLimited(action, wait=wait)


def _current_window(action: str) -> tuple[int, int, int, int] | None:
    """(limit, period, window number, seconds until the next window) of the action's rate in
    settings.RATE_LIMITS, or None when the action has no limit."""
    rate = settings.RATE_LIMITS.get(action)
    if not rate:
        return None
    limit, period = parse_rate(rate)
    now = timezone.now().timestamp()
    window = int(now) // period
    return limit, period, window, max(1, (window + 1) * period - math.floor(now))


def _counts(keys: list[str], timeout: int) -> list[int]:
    """Add one attempt to each window's counter and return the counts; in one round trip where
    the cache can (civic.cache_failsoft.FailSoftRedisCache.incr_in_window)."""
    in_window = getattr(cache, "incr_in_window", None)
    if in_window is not None:
        return in_window(dict.fromkeys(keys, timeout))
    return [_count(key, timeout) for key in keys]


def _count(key: str, timeout: int) -> int:
    """Add one attempt to the window's counter and return the count.

    Most attempts land in a window that already has a counter, so incrementing comes first and
    the counter is created only when it is missing: one cache call instead of two.
    """
    try:
        return cache.incr(key)
    except ValueError:  # the window's first attempt, or the counter was evicted
        pass
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)  # another request created it in between
    except ValueError:  # the cache is unavailable: let the person act
        return 1


def message(wait: int) -> str:
    minutes = max(1, math.ceil(wait / 60))
    return ngettext(
        "You did this too many times in a short while. Try again in %(n)d minute.",
        "You did this too many times in a short while. Try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


def mail_limit_message(wait: int) -> str:
    """Why no more e-mail goes to an address for now: it was not necessarily this person."""
    minutes = max(1, math.ceil(wait / 60))
    return ngettext(
        "This address has received too many e-mails from us in a short while. "
        "Try again in %(n)d minute.",
        "This address has received too many e-mails from us in a short while. "
        "Try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


def too_many_response(request, error: RateLimited):
    """The 429 page with the reason and the wait, for HTML views.

    The reason goes through the messages framework, which every page shows, so the shared 429
    template needs nothing of its own to say how long to wait.
    """
    messages.warning(request, str(error))
    response = render(request, "429.html", {"reason": str(error)}, status=429)
    response["Retry-After"] = str(error.wait)
    return response


def raise_for_api(request, action: str) -> None:
    """The same check for DRF views: a 429 whose detail says why and for how long."""
    from rest_framework.exceptions import Throttled

    try:
        check(request, action)
    except RateLimited as error:
        raise Throttled(wait=error.wait, detail=str(error)) from None
