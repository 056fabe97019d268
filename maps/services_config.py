"""Official map services (WMS, WMTS, tile addresses) as configuration: checking their
addresses, and the Leaflet options a page hands to the map script."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
WMTS_PLACEHOLDERS = ("{TileMatrix}", "{TileRow}", "{TileCol}")


def validate_service_url(url: str, protocol: str) -> str:
    """Refuse an address the browser should not load map images from: https only (http for a
    local test server in development and tests, or a host in MAP_SERVICE_HTTP_HOSTS), no
    credentials in it, and for a tile address the placeholders it needs: {z}, {x} and {y}, or
    for a WMTS tile template {TileMatrix}, {TileRow} and {TileCol}."""
    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower()
    plain_allowed = host in set(settings.MAP_SERVICE_HTTP_HOSTS) or (
        host in LOCAL_HOSTS and (settings.DEBUG or settings.TESTING)
    )
    if parts.scheme != "https" and not (parts.scheme == "http" and plain_allowed):
        raise ValidationError(_("The map service's address must start with https://."))
    if not host:
        raise ValidationError(_("The address has no host name."))
    if parts.username or parts.password:
        raise ValidationError(_("The address must not hold a user name or password."))
    if protocol == "xyz" and not all(part in url for part in ("{z}", "{x}", "{y}")):
        raise ValidationError(_("A tile address needs {z}, {x} and {y} in it."))
    if protocol == "wmts" and not all(part in url for part in WMTS_PLACEHOLDERS):
        raise ValidationError(_("A WMTS tile address needs {TileMatrix}, {TileRow} and {TileCol}."))
    return url


def image_source(url: str) -> str:
    """scheme://host[:port] of a service, for the Content-Security-Policy's img-src."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def leaflet_options(service) -> dict:
    """What the map script needs to draw one service (a consultations.MapService)."""
    return {
        "id": service.pk,
        "name": service.name,
        "protocol": service.protocol,
        "role": service.role,
        "url": service.url,
        "layers": service.layers,
        "format": service.image_format,
        "attribution": service.attribution,
        "opacity": service.opacity / 100,
        # WMTS: map zoom -> TileMatrix identifier, and the layer's extent [west, south, east, north]
        "matrices": service.tile_matrices or {},
        "bounds": service.bounds,
    }
