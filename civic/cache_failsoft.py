"""Django's Redis cache, made to fail soft: while Redis is down, reads miss, writes are dropped
and the site keeps serving pages straight from the database.

Everything kept in this cache can be recomputed (map clusters, summaries, rate-limit windows),
so a missing cache costs speed, never correctness. Errors are logged at most once a minute.

After a failure the cache is left alone for CACHE_RETRY_SECONDS: a page makes several cache
calls, and each one waiting for a refused (or, worse, a timed-out) connection would make every
page slower than building it. Pages are then built at their usual rate until Redis answers again.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)
_LOG_EVERY_SECONDS = 60
_last_logged = 0.0
# After a failure, calls answer their fallback at once for this long.
CACHE_RETRY_SECONDS = 2.0


def _log(operation: str, exc: BaseException) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= _LOG_EVERY_SECONDS:
        _last_logged = now
        logger.warning("cache unavailable (%s), serving without it: %s", operation, exc)


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a new redis.Redis (and its table of ~170 response callbacks) for
    every cache call; one per connection pool is enough, since redis.Redis is thread-safe and
    borrows a pooled connection per command. Saves a fraction of a millisecond per call, and
    pages make several."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients.setdefault(pool, self._client(connection_pool=pool))
        return client


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        # Until this moment (time.monotonic()) calls answer their fallback without trying.
        self._down_until = 0.0

    def _mark_down(self) -> None:
        self._down_until = time.monotonic() + CACHE_RETRY_SECONDS

    def is_down(self) -> bool:
        """Whether a call failed within the last CACHE_RETRY_SECONDS."""
        return time.monotonic() < self._down_until

    def _soft(self, operation, call, fallback):
        if self.is_down():
            return fallback
        try:
            return call()
        except UNAVAILABLE as exc:
            self._mark_down()
            _log(operation, exc)
            return fallback

    def get(self, key, default=None, version=None):
        parent = super()
        return self._soft("get", lambda: parent.get(key, default, version), default)

    def get_many(self, keys, version=None):
        parent = super()
        return self._soft("get_many", lambda: parent.get_many(keys, version), {})

    def has_key(self, key, version=None):
        parent = super()
        return self._soft("has_key", lambda: parent.has_key(key, version), False)

    def add(self, key, value, timeout=None, version=None):
        parent = super()
        return self._soft("add", lambda: parent.add(key, value, timeout, version), False)

    def set(self, key, value, timeout=None, version=None):
        parent = super()
        return self._soft("set", lambda: parent.set(key, value, timeout, version), None)

    def set_many(self, data, timeout=None, version=None):
        parent = super()
        return self._soft("set_many", lambda: parent.set_many(data, timeout, version), list(data))

    def touch(self, key, timeout=None, version=None):
        parent = super()
        return self._soft("touch", lambda: parent.touch(key, timeout, version), False)

    def delete(self, key, version=None):
        parent = super()
        return self._soft("delete", lambda: parent.delete(key, version), False)

    def delete_many(self, keys, version=None):
        parent = super()
        return self._soft("delete_many", lambda: parent.delete_many(keys, version), None)

    def incr(self, key, delta=1, version=None):
        if self.is_down():
            raise ValueError(f"Key {key!r} not found (cache unavailable)")
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as exc:
            self._mark_down()
            _log("incr", exc)
            # What a missing key answers; callers already handle it (civic.ratelimit counts
            # the attempt as the first of its window).
            raise ValueError(f"Key {key!r} not found (cache unavailable)") from exc

    def incr_in_window(self, timeouts: dict[str, int]) -> list[int]:
        """Add one to each counter, creating a missing one with its timeout in seconds, and
        return the counts: one round trip for all of them (Django's incr costs two per key, an
        EXISTS and an INCRBY). A counter that exists keeps its expiry, so a window ends on time.
        """

        def call():
            pipeline = self._cache.get_client(write=True).pipeline(transaction=False)
            for key, timeout in timeouts.items():
                name = self.make_and_validate_key(key)
                pipeline.set(name, 0, ex=timeout, nx=True)
                pipeline.incr(name)
            return pipeline.execute()[1::2]

        # Unavailable: each attempt is the first of its window (let the person act).
        return self._soft("incr_in_window", call, [1] * len(timeouts))

    def clear(self):
        parent = super()
        return self._soft("clear", lambda: parent.clear(), False)
