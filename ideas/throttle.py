"""Per-person and per-address limits on writes (settings.RATE_LIMITS), kept in the cache.

A fixed window per action: "10/h" allows ten submissions per hour from one account and ten
from one IP address. The limit is a brake on floods and scripts, not an accounting record, so
a cache that forgets (restart, eviction) only ever errs on the side of letting people act.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[-1]]


def client_ip(request) -> str:
    # Our proxy appends the address it saw; entries to the left of it are the client's claims.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "")


def hit(request, action: str) -> bool:
    """Count one attempt; True when it is over the limit for this person or address."""
    rate = settings.RATE_LIMITS.get(action)
    if not rate:
        return False
    limit, period = parse_rate(rate)
    window = int(timezone.now().timestamp()) // period
    keys = [f"throttle:{action}:ip:{client_ip(request)}:{window}"]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        keys.append(f"throttle:{action}:user:{user.pk}:{window}")
    over = False
    for key in keys:
        cache.add(key, 0, timeout=period + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=period + 5)
            count = 1
        over = over or count > limit
    return over
