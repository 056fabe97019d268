"""The Content-Security-Policy with the hosts the municipality's settings add.

The policy in settings is built once from the environment (the tile server of MAP_TILE_URL, the
logo's host). An administrator can name another tile server in the back office (civic.branding);
pages then load its tiles, so each HTML page's policy allows that host's images too, read from
the cached settings (no query on a warm cache).

A map that shows a consultation's official map services (WMS/WMTS, checked when a planner adds
them) names their hosts in the page itself, in a `data-map-image-sources` attribute; the policy
of that page allows them. Read from the content, it needs no query and holds for a copy from the
page cache too. Text a person wrote cannot forge it: it is escaped, so never holds `="`.
"""

import re

from csp.middleware import CSPMiddleware as BaseCSPMiddleware

from .security_headers import source_of, unique

MAP_IMAGE_SOURCES = re.compile(rb'data-map-image-sources="([^"<>]{1,2000})"')
SOURCE = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^http://\[::1\](:[0-9]{1,5})?$")


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        # Error pages show no map or logo from elsewhere; and "database unavailable" (503) must
        # not wait for the database to read the settings.
        if (
            report_only
            or response.status_code >= 500
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return parts
        sources = branding_image_sources() + page_image_sources(response)
        if sources:
            update = dict(parts.update or {})
            update["img-src"] = unique([*(update.get("img-src") or []), *sources])
            parts.update = update
        return parts


def branding_image_sources() -> list[str]:
    from .branding import effective

    brand = effective()
    return unique([source_of(brand.tile_url), source_of(brand.logo_url)])


def page_image_sources(response) -> list[str]:
    """The official map services' hosts a page names for its map (see the module's doc)."""
    if getattr(response, "streaming", False):
        return []
    match = MAP_IMAGE_SOURCES.search(response.content)
    if not match:
        return []
    names = match.group(1).decode("ascii", "replace").split()
    return [name for name in names if SOURCE.match(name)]
