"""Counts the visitors who arrive from a social channel or an embedded page.

The links the platform posts carry `?utm_source=<platform>&utm_medium=social&utm_campaign=<slug>`
(social.services.tracked_link); the embed's carry `utm_source=embed&utm_medium=iframe`. Each
such page view adds one to the day's row of reports.models.Referral, which the summary shows as
"Arrivals by channel".

A visitor counts once per consultation, channel and day, however many pages they open or
however often a script repeats the request: the first arrival leaves a mark in the cache (a
keyed hash of the signed-in account, or of the address and browser, that changes every day and
cannot be turned back into either), and arrivals that find the mark are not counted. With the
cache unavailable nothing is counted, so an outage can lower the figures but never inflate them.

Cheap by design, since it sits in front of every request: a request without UTM parameters costs
a substring test and no query; a counted one costs one cache operation and one statement. It
sits before any page cache, so a visitor served a cached copy is counted too. Counting never
fails the request: an error is logged and the page is answered as usual.
"""

import hashlib
import hmac
import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from civic.ratelimit import client_ip

from .models import SOURCES
from .services import referral_count

logger = logging.getLogger(__name__)

MEDIUMS = frozenset({"social", "iframe"})
# Link-preview fetchers and crawlers: the platforms fetch a posted link to draw its card, which
# is no visitor. Real browsers' user agents contain none of these words.
ROBOTS = re.compile(
    r"bot[/;)-]|bot$|\bbot\b|crawl|spider|slurp|preview|facebookexternalhit|facebookcatalog"
    r"|meta-external"
    r"|mastodon/|cardyb|python-|curl/|wget/|httpclient|go-http",
    re.IGNORECASE,
)
MAX_SLUG_LENGTH = 255
SEEN_SECONDS = 24 * 60 * 60


def arrival_of(request) -> tuple[str, str] | None:
    """(slug, source) when this request is a visitor following a tracked link, else None."""
    if request.method != "GET" or "utm_" not in request.META.get("QUERY_STRING", ""):
        return None
    query = request.GET
    if query.get("utm_medium") not in MEDIUMS:
        return None
    source = query.get("utm_source", "").lower()
    slug = query.get("utm_campaign", "")
    if source not in SOURCES or not slug or len(slug) > MAX_SLUG_LENGTH:
        return None
    agent = request.META.get("HTTP_USER_AGENT", "")
    if not agent.strip() or ROBOTS.search(agent):
        return None
    return slug, source


def first_arrival(request, *, slug: str, source: str, day) -> bool:
    """True the first time this visitor arrives at `slug` from `source` on `day`."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        visitor = f"user:{user.pk}"
    else:
        visitor = f"{client_ip(request)}|{request.META.get('HTTP_USER_AGENT', '')}"
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"{day.isoformat()}|{slug}|{source}|{visitor}".encode(),
        hashlib.sha256,
    ).hexdigest()
    return cache.add(f"reports:arrival:{digest}", 1, SEEN_SECONDS)


class ReferralMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        arrival = arrival_of(request)
        # A redirect is no arrival yet: the page it leads to is (with the same parameters).
        if arrival is not None and 200 <= response.status_code < 300:
            slug, source = arrival
            day = timezone.localdate()
            try:
                if first_arrival(request, slug=slug, source=source, day=day):
                    referral_count(slug=slug, source=source, day=day)
            except Exception:
                logger.exception("could not count an arrival from %s for %s", source, slug)
        return response
