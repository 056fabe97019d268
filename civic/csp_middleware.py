"""The Content-Security-Policy with the hosts the municipality's settings add.

The policy in settings is built once from the environment (the tile server of MAP_TILE_URL, the
logo's host). An administrator can name another tile server in the back office (civic.branding);
pages then load its tiles, so each HTML page's policy allows that host's images too, read from
the cached settings (no query on a warm cache).
"""

from csp.middleware import CSPMiddleware as BaseCSPMiddleware

from .security_headers import source_of, unique

# Functions that name more image hosts (each app registers its own in AppConfig.ready, as the
# consultations app does for official map services), so this module imports no app.
_image_source_providers = []


def adds_image_sources(provider) -> None:
    if provider not in _image_source_providers:
        _image_source_providers.append(provider)


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
        sources = branding_image_sources()
        if sources:
            update = dict(parts.update or {})
            update["img-src"] = unique([*(update.get("img-src") or []), *sources])
            parts.update = update
        return parts


def branding_image_sources() -> list[str]:
    from .branding import effective

    brand = effective()
    extra = [source for provider in _image_source_providers for source in provider()]
    return unique([source_of(brand.tile_url), source_of(brand.logo_url), *extra])
