"""What the Content-Security-Policy allows beyond the site itself, and who may frame the embed.

The policy (CONTENT_SECURITY_POLICY in settings, sent by django-csp) lets scripts, styles and
requests come from the site only. Images are the exception: map tiles come from the configured
tile server and uploads from the media storage, which may live on another host (S3). Settings
build those sources with the functions below from the same variables that configure the tiles
and the storage, so that a new tile server or bucket needs no second setting.

Kept free of Django imports at module level: settings imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from urllib.parse import urlsplit

ANY_SITE = "*"


def source_of(url: str | None) -> str | None:
    """The CSP host source ("https://tiles.example") of an absolute http(s) URL, else None.

    A tile URL's subdomain placeholder ("https://{s}.tile.example/...") becomes a wildcard.
    """
    if not url:
        return None
    parts = urlsplit(url.replace("{s}", "*"))
    if parts.scheme not in ("http", "https") or not parts.hostname or "{" in parts.hostname:
        return None
    host = parts.hostname
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def media_sources(
    *,
    media_url: str = "",
    bucket: str = "",
    endpoint_url: str | None = None,
    region: str | None = None,
    custom_domain: str | None = None,
) -> list[str]:
    """Where uploaded images are served from, when that is not the site itself."""
    sources = [source_of(media_url)]
    if bucket:
        if custom_domain:
            sources.append(f"https://{custom_domain}")
        elif endpoint_url:
            # Path-style (endpoint/bucket/key) and virtual-hosted style (bucket.endpoint/key).
            endpoint = source_of(endpoint_url)
            sources.append(endpoint)
            if endpoint:
                scheme, host = endpoint.split("://", 1)
                sources.append(f"{scheme}://{bucket}.{host}")
        else:
            sources.append(f"https://{bucket}.s3.amazonaws.com")
            if region:
                sources.append(f"https://{bucket}.s3.{region}.amazonaws.com")
                sources.append(f"https://s3.{region}.amazonaws.com")
    return unique(sources)


def frame_ancestors(allowed_origins: Iterable[str]) -> list[str]:
    """The embed page's frame-ancestors: the site and the listed origins, or any https site
    (and the site itself) when the list is empty or holds "*"."""
    origins = [origin.strip().rstrip("/") for origin in allowed_origins if origin.strip()]
    if not origins or ANY_SITE in origins:
        return ["'self'", "https:"]
    return unique(["'self'", *(source_of(origin) for origin in origins)])


def unique(sources: Iterable[str | None]) -> list[str]:
    """The sources in order, without blanks or repeats."""
    return list(dict.fromkeys(source for source in sources if source))


def embeddable(view: Callable) -> Callable:
    """Let the sites in EMBED_ALLOWED_ORIGINS frame this view's page, and no other.

    Read per request (not when the module loads) so that the setting can change in tests and
    deployments without touching the view. Sets what django-csp's csp_replace decorator sets.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        from django.conf import settings

        response = view(request, *args, **kwargs)
        replace = dict(getattr(response, "_csp_replace", None) or {})
        replace["frame-ancestors"] = frame_ancestors(settings.EMBED_ALLOWED_ORIGINS)
        response._csp_replace = replace
        return response

    return wrapped


def posts_to_other_sites(view: Callable) -> Callable:
    """Let this view's page hold forms that end at another site.

    "Connect with <platform>" posts to the site, which redirects to the platform's sign-in
    (any Mastodon instance or Bluesky server a planner names); browsers check that redirect
    against form-action. Plain http only with DEBUG, for the local stand-ins of the platforms.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        from django.conf import settings

        response = view(request, *args, **kwargs)
        update = dict(getattr(response, "_csp_update", None) or {})
        update["form-action"] = ["https:", "http:"] if settings.DEBUG else ["https:"]
        response._csp_update = update
        return response

    return wrapped
