"""Whole-page cache for anonymous visitors of the busiest public pages.

Why: when a consultation is shared on Facebook, the crowd that follows the link is almost all
anonymous and reads the same few pages (the hub, the idea list, an idea). Building the hub costs
tens of milliseconds of queries and templates; a cached copy costs one cache round trip.

Correctness: every cached page belongs to a consultation, and its key carries that consultation's
version. The services announce what they change (civic.changes), and the table there says which
changes forget a consultation's pages (`forget_pages` bumps its version once the write has
committed), so the next visitor gets a freshly built page. Counts that change by the second
(supports, comment votes, poll answers) do not bump it: anonymous visitors see them at most
PAGE_CACHE_SECONDS old, which also caps the age of what changes with the clock alone (a phase
that opens at ten o'clock); past that, one visitor builds the page again while the others still
get the aged copy for that moment. Changing a person's shown name or erasing an account bumps
every consultation's version.

Each worker also remembers for PAGE_CACHE_LOCAL_SECONDS (default one second) the pages it found
current, and serves them without asking the cache again: a crowd on one page costs no round
trip for most visits, and a change reaches anonymous visitors at most that much later.

Crowds: when a change replaces a busy page, one visitor builds it and the others wait for that
copy (polling the cache for up to WAIT_FOR_BUILDER_SECONDS) instead of all building it at once.

Per-visitor parts: signed-in visitors, visitors with a session (an anonymous idea waiting for
confirmation) or with pending messages are never served from the cache. The language switcher
needs no CSRF token (civic/urls.py says why), so most anonymous pages are the same bytes for
everyone; a page that does carry a form token gets this visitor's own token on every hit.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from civic import httpcache, tenancy
from civic.changes import next_version

CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")([A-Za-z0-9]+)(")')
KEPT_HEADERS = ("Content-Type", "Content-Language", "Link")
GLOBAL = "all"
# The home page belongs to no one consultation: it is cached under a scope of its own, which a
# change in any consultation that the home page shows moves on (civic.changes, Cache.HOME).
HOME = "home"


def _version_key(scope) -> str:
    return f"pagecache:version:{scope}"


def forget_pages(consultation_id: int | None) -> None:
    """Forget the cached pages of one consultation (or of all, with None). Called by the map of
    change (civic.changes) once the write that changed them has committed."""
    scope = consultation_id if consultation_id is not None else GLOBAL
    # This worker's own copies go at once; other workers' within PAGE_CACHE_LOCAL_SECONDS.
    forget_checked()
    next_version(_version_key(scope))


def forget_home(_consultation_id: int | None = None) -> None:
    """Forget the cached copies of the home page, whichever consultation changed."""
    forget_checked()
    next_version(_version_key(HOME))


def home_scope(**_kwargs) -> str:
    """`consultation_of` for the home page (anonymous_page): its own scope."""
    return HOME


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or settings.PAGE_CACHE_SECONDS <= 0:
        return False
    if request.user.is_authenticated:
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _page_key(request: HttpRequest) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    # The same address is a different page at each municipality's host (civic.tenancy).
    return f"pagecache:page:{tenancy.key_part()}:{get_language()}:{path}"


def _current(entry, versions: dict) -> bool:
    return entry is not None and entry.get("versions") == versions


def _current_entry(key: str) -> dict | None:
    """The cached entry for `key` if what it shows has not changed since it was built."""
    entry, versions = _lookup(key)
    return entry if _current(entry, versions) else None


# Pages this worker found current in the cache within the last PAGE_CACHE_LOCAL_SECONDS, by
# key: (checked until, entry). A crowd on one page then costs no cache round trip at all for
# most of its visits; a change reaches anonymous visitors that much later.
_checked: dict[str, tuple[float, dict]] = {}
CHECKED_KEYS_MAX = 200


def forget_checked() -> None:
    """Forget the pages this worker found current (for whoever empties the cache itself: tests
    and benchmarks that time a page built from scratch)."""
    _checked.clear()


def checked_moments_ago(key: str) -> dict | None:
    kept = _checked.get(key)
    if kept is None or time.monotonic() >= kept[0]:
        return None
    entry = kept[1]
    return entry if time.time() < entry.get("fresh_until", 0) else None


def remember_checked(key: str, entry: dict) -> None:
    seconds = settings.PAGE_CACHE_LOCAL_SECONDS
    if seconds <= 0:
        return
    if len(_checked) >= CHECKED_KEYS_MAX:
        _checked.clear()
    _checked[key] = (time.monotonic() + seconds, entry)


def page_version_keys(consultation_id) -> list[str]:
    """The version keys a consultation's pages are kept under (for caches that must follow
    the same changes, such as the map feeds' answers)."""
    return [_version_key(GLOBAL), _version_key(consultation_id)]


def _versions(consultation_id: int) -> dict:
    keys = page_version_keys(consultation_id)
    found = cache.get_many(keys)
    return {key: found.get(key, 0) for key in keys}


# Which consultation each page key belonged to when this process last read it. It lets a hit
# read the page and its versions in one round trip; the entry itself still names its
# consultation, so a key whose page now belongs elsewhere costs one more read, never a wrong page.
_consultation_of_key: dict[str, int] = {}
KNOWN_KEYS_MAX = 10_000


def _lookup(key: str) -> tuple[dict | None, dict | None]:
    """The cached entry for `key` and the current versions of the consultation it names."""
    known = _consultation_of_key.get(key)
    if known is None:
        entry = cache.get(key)
        versions = None
    else:
        version_keys = [_version_key(GLOBAL), _version_key(known)]
        found = cache.get_many([key, *version_keys])
        entry = found.get(key)
        versions = {k: found.get(k, 0) for k in version_keys}
    if entry is None:
        return None, None
    consultation_id = entry["consultation"]
    if consultation_id != known:
        if len(_consultation_of_key) >= KNOWN_KEYS_MAX:
            _consultation_of_key.clear()
        _consultation_of_key[key] = consultation_id
        versions = _versions(consultation_id)
    return entry, versions


def _from_cache(request: HttpRequest, entry: dict) -> HttpResponse:
    content = entry["content"]
    if b"csrfmiddlewaretoken" in content:
        token = get_token(request).encode()
        content = CSRF_FIELD.sub(lambda m: m.group(1) + token + m.group(3), content)
    response = HttpResponse(content, status=200)
    for name, value in entry["headers"].items():
        response[name] = value
    response["X-Page-Cache"] = "hit"
    return response


def _store(key: str, consultation_id: int, versions: dict, response: HttpResponse) -> None:
    if response.status_code != 200 or response.streaming or response.cookies:
        return
    if response.has_header("Cache-Control") and "private" in response["Cache-Control"]:
        return
    entry = {
        # The versions read before the page was built: a change committed while it was being
        # built leaves them behind, so the next visitor builds it again.
        "consultation": consultation_id,
        "versions": versions,
        "content": response.content,
        "headers": {h: response[h] for h in KEPT_HEADERS if response.has_header(h)},
        "fresh_until": time.time() + settings.PAGE_CACHE_SECONDS,
    }
    # Kept twice as long as it is fresh: an aged copy of unchanged content is what the other
    # visitors get while one of them builds the page again (_refresh).
    cache.set(key, entry, timeout=2 * settings.PAGE_CACHE_SECONDS)


# A change makes every visitor of a busy page miss at the same moment; one of them builds the
# page while the others wait for it (polling the cache) instead of all building it at once.
BUILD_LOCK_SECONDS = 10
WAIT_FOR_BUILDER_SECONDS = 2.0
POLL_SECONDS = 0.02


def _rendered(response: HttpResponse) -> HttpResponse:
    if hasattr(response, "render") and callable(response.render):
        response.render()
    return response


def _build_and_store(key: str, lock: str, consultation_id: int, versions: dict, build):
    """Build the page as the holder of `lock`, store it under the versions read before, and
    let go of the lock whatever happens."""
    try:
        response = _rendered(build())
        _store(key, consultation_id, versions, response)
    finally:
        cache.delete(lock)
    return response


def _build_once(key: str, consultation_id: int, request: HttpRequest, build: Callable):
    versions = _versions(consultation_id)
    lock = f"{key}:building"
    if cache.add(lock, 1, timeout=BUILD_LOCK_SECONDS):
        return _build_and_store(key, lock, consultation_id, versions, build)
    deadline = time.monotonic() + WAIT_FOR_BUILDER_SECONDS
    # No lock to be seen (the builder is done, failed, or the cache is down): build it here.
    while cache.has_key(lock) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        entry = cache.get(key)
        if _current(entry, versions):
            return _from_cache(request, entry)
    entry = cache.get(key)
    if _current(entry, versions):
        return _from_cache(request, entry)
    return _rendered(build())


def _refresh(key: str, entry: dict, request, consultation_id: int | None, build: Callable):
    """A copy older than PAGE_CACHE_SECONDS whose content has not changed since (its versions
    are current): one visitor builds it again while the others keep getting the copy, so the
    clock never makes a crowd wait. Changed content is never served like this (_build_once)."""
    if consultation_id is None:  # the address leads nowhere now: the view says so
        return build()
    lock = f"{key}:building"
    if not cache.add(lock, 1, timeout=BUILD_LOCK_SECONDS):
        response = _from_cache(request, entry)
        response["X-Page-Cache"] = "stale"
        return response
    return _build_and_store(key, lock, consultation_id, _versions(consultation_id), build)


def anonymous_page(consultation_of: Callable[..., int | None]):
    """Cache a view's page for anonymous visitors under its consultation's version.

    `consultation_of(**view_kwargs)` returns the consultation id the page belongs to (or a
    scope of its own, such as HOME), or None when there is no such page (the view then answers
    its own 404). A stored page carries the
    versions it was built under and its consultation, so a hit costs one cache round trip: the
    page and the versions of the consultation it named last time (_lookup).
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _cacheable_request(request):
                return httpcache.mark_private(view(request, *args, **kwargs))

            def view_call():
                return view(request, *args, **kwargs)

            key = _page_key(request)
            entry = checked_moments_ago(key)
            if entry is not None:
                scope = entry["consultation"]
                response = _from_cache(request, entry)
            elif (entry := _current_entry(key)) is not None:
                scope = entry["consultation"]
                if time.time() < entry.get("fresh_until", 0):
                    remember_checked(key, entry)
                    response = _from_cache(request, entry)
                else:
                    response = _refresh(key, entry, request, consultation_of(**kwargs), view_call)
            else:
                # Missing or out of date. The address is looked up again rather than taken
                # from the old copy: its slug may belong to another consultation by now.
                scope = consultation_of(**kwargs)
                if scope is None:
                    return httpcache.mark_private(view(request, *args, **kwargs))
                response = _build_once(key, scope, request, view_call)
            # The page differs by language and by being signed in (the session cookie); a
            # shared HTTP cache may keep it under the same conditions (civic.httpcache).
            patch_vary_headers(response, ("Cookie", "Accept-Language"))
            return httpcache.mark_public(response, httpcache.tags_for(scope))

        return wrapped

    return decorator
