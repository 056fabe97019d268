"""Shared HTTP caches (Varnish, a CDN) in front of the site: what they may keep, and telling
them when it changed.

Headers: an anonymous visitor's copy of a public page (the hub, the idea list, an idea page,
the home page) or of a map feed says `Cache-Control: public, max-age=HTTP_CACHE_MAX_AGE,
s-maxage=HTTP_CACHE_S_MAXAGE` with `Vary: Cookie, Accept-Language`, and names what it shows in
`X-Cache-Tags` ("c12" for consultation 12's pages and feeds, "home" for the home page, "all"
on every page). Everything else these routes answer (signed-in people, a session, a pending
message, a form token, an error) says `Cache-Control: private`, so a shared cache never keeps
one person's page for another.

Bans: the map of change (civic.changes) already says which changes replace which pages. The
functions here are registered as forgetters of those caches, so once a change commits a
background job sends each cache in HTTP_CACHE_PURGE_URLS one `BAN` request per tag with the
tag in `X-Ban-Tag`; the cache drops exactly the copies tagged with it (docs/varnish.vcl). A
cache that does not answer is logged and skipped: its copies age out after s-maxage.

With more than one web server the bans are sent twice: at once, and again
HTTP_CACHE_BAN_REPEAT_SECONDS later. Between the two, the cache may fetch the page again from a
server that still holds the old copy for up to PAGE_CACHE_LOCAL_SECONDS (civic.pagecache), or
one whose answer was being built from the old rows while the change committed; a ban drops only
copies the cache holds when it arrives, so without the second one such a copy would be served
for s-maxage.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

logger = logging.getLogger(__name__)

TAG_HEADER = "X-Cache-Tags"
BAN_HEADER = "X-Ban-Tag"
BAN_METHOD = "BAN"
EVERY_PAGE = "all"
HOME = "home"
ATTEMPTS = 2


def consultation_tag(consultation_id: int) -> str:
    return f"c{consultation_id}"


def tags_for(scope) -> list[str]:
    """The tags of a page of a page-cache scope (a consultation id, or the home page's)."""
    own = HOME if scope == HOME else consultation_tag(scope)
    return [own, EVERY_PAGE]


def mark_private(response: HttpResponse) -> HttpResponse:
    """For this visitor only: no shared cache keeps it."""
    patch_cache_control(response, private=True)
    return response


def mark_public(response: HttpResponse, tags: list[str]) -> HttpResponse:
    """A copy any anonymous visitor may get from a shared cache, or private when it is not one
    (not a 200, sets a cookie, carries a form token, or shared caching is off)."""
    if (
        settings.HTTP_CACHE_S_MAXAGE <= 0
        or response.status_code != 200
        or response.cookies
        or getattr(response, "streaming", False)
        # (an API answer not rendered yet is JSON, which never carries a form token)
        or (getattr(response, "is_rendered", True) and b"csrfmiddlewaretoken" in response.content)
    ):
        return mark_private(response)
    patch_cache_control(
        response,
        public=True,
        max_age=settings.HTTP_CACHE_MAX_AGE,
        s_maxage=settings.HTTP_CACHE_S_MAXAGE,
    )
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    response[TAG_HEADER] = " ".join(tags)
    return response


# --- bans, from the map of change ------------------------------------------------------------


def ban_consultation(consultation_id: int | None) -> None:
    """Forgetter (civic.changes) of a consultation's pages and feeds; None: every page."""
    ban([EVERY_PAGE if consultation_id is None else consultation_tag(consultation_id)])


def ban_home(_consultation_id: int | None = None) -> None:
    """Forgetter (civic.changes) of the home page, whichever consultation changed."""
    ban([HOME])


def ban(tags: list[str]) -> None:
    """Queue the bans (civic.tasks.ban_http_caches); called once the change has committed."""
    if not settings.HTTP_CACHE_PURGE_URLS:
        return
    from civic.tasks import ban_http_caches

    tags = sorted(set(tags))
    try:
        ban_http_caches.delay(tags)
        if settings.HTTP_CACHE_BAN_REPEAT_SECONDS > 0:
            ban_http_caches.apply_async((tags,), countdown=settings.HTTP_CACHE_BAN_REPEAT_SECONDS)
    except Exception:  # the broker is down: the copies age out after s-maxage
        logger.warning("could not queue HTTP cache bans for %s", tags, exc_info=True)


def send_bans(tags: list[str]) -> list[str]:
    """Send every configured cache one BAN per tag; returns the caches that did not take one."""
    import httpx

    failed = []
    with httpx.Client(timeout=settings.HTTP_CACHE_PURGE_TIMEOUT) as client:
        for url in settings.HTTP_CACHE_PURGE_URLS:
            for tag in tags:
                if not _send(client, url, tag):
                    failed.append(url)
                    break
    return failed


def _send(client, url: str, tag: str) -> bool:
    import httpx

    for _attempt in range(ATTEMPTS):
        try:
            answer = client.request(BAN_METHOD, url, headers={BAN_HEADER: tag})
        except httpx.HTTPError as error:
            reason = str(error)
        else:
            if answer.status_code < 300:
                return True
            reason = f"HTTP {answer.status_code}"
    logger.warning("HTTP cache %s did not take the ban of %s: %s", url, tag, reason)
    return False
