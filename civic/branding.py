"""The municipality's name, logo, colour and map as they are in effect: what an administrator
set in the back office (MunicipalitySettings), and for each field left blank the environment's
setting (MUNICIPALITY_NAME, BRAND_COLOUR, BRAND_LOGO_URL, LEAFLET_CONFIG).

Every place that shows one of them asks `effective()`. The stored row is kept in the shared
cache (no query on a warm cache) and forgotten when it is saved; each worker also keeps its copy
for LOCAL_SECONDS, so a page served from the page cache costs no read for it (another worker
shows a change within those seconds). The environment's values are read at every call, so they
are never stale in a cache.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError

logger = logging.getLogger(__name__)

CACHE_KEY = "civic:municipality-settings:v1"
LOCAL_SECONDS = 5.0
_NO_ROW = "-"
# This worker's copy: (monotonic time read, stored values).
_local: dict = {}
STORED_FIELDS = (
    "name",
    "logo",
    "brand_colour",
    "map_center_lat",
    "map_center_lon",
    "map_zoom",
    "tile_url",
    "tile_attribution",
)


@dataclass(frozen=True)
class Branding:
    name: str
    colour: str
    logo_url: str
    tile_url: str
    attribution: str
    center_lat: float
    center_lon: float
    zoom: int
    max_zoom: int
    min_zoom: int


def environment_values() -> Branding:
    """What the environment configures, with nothing set in the back office."""
    leaflet = settings.LEAFLET_CONFIG
    _name, tile_url, options = leaflet["TILES"][0]
    lat, lon = leaflet["DEFAULT_CENTER"]
    return Branding(
        name=settings.MUNICIPALITY_NAME,
        colour=settings.BRAND_COLOUR,
        logo_url=settings.BRAND_LOGO_URL,
        tile_url=tile_url,
        attribution=options.get("attribution", ""),
        center_lat=lat,
        center_lon=lon,
        zoom=leaflet.get("DEFAULT_ZOOM", 13),
        max_zoom=options.get("maxZoom", leaflet.get("MAX_ZOOM", 19)),
        min_zoom=leaflet.get("MIN_ZOOM", 3),
    )


def _stored() -> dict:
    """The back office's values ({} without a row), through this worker's copy and the
    shared cache."""
    copy = _local.get("copy")
    if copy is not None and time.monotonic() - copy[0] < LOCAL_SECONDS:
        return copy[1]
    stored = _shared()
    if stored is None:
        return {}
    _local["copy"] = (time.monotonic(), stored)
    return stored


def _shared() -> dict | None:
    """None when the database cannot be read."""
    stored = cache.get(CACHE_KEY)
    if stored is None:
        from .models import MunicipalitySettings

        try:
            row = MunicipalitySettings.objects.filter(pk=1).first()
        except DatabaseError:
            # The environment's branding rather than no page at all; nothing is kept, so the
            # row is read again once the database answers.
            logger.warning("municipality settings unreadable; using the environment's")
            return None
        if row is None:
            stored = _NO_ROW
        else:
            stored = {field: getattr(row, field) for field in STORED_FIELDS}
            stored["logo"] = row.logo.url if row.logo else ""
        cache.set(CACHE_KEY, stored, timeout=None)
    return {} if stored == _NO_ROW else stored


def effective() -> Branding:
    base = environment_values()
    stored = _stored()
    if not stored:
        return base

    def pick(field, default):
        value = stored.get(field)
        return default if value in (None, "") else value

    return Branding(
        name=pick("name", base.name),
        colour=pick("brand_colour", base.colour),
        logo_url=pick("logo", base.logo_url),
        tile_url=pick("tile_url", base.tile_url),
        attribution=pick("tile_attribution", base.attribution),
        center_lat=pick("map_center_lat", base.center_lat),
        center_lon=pick("map_center_lon", base.center_lon),
        zoom=pick("map_zoom", base.zoom),
        max_zoom=base.max_zoom,
        min_zoom=base.min_zoom,
    )


def forget() -> None:
    """After the row is saved: this worker reads it again at once, the others once their copy
    is LOCAL_SECONDS old."""
    cache.delete(CACHE_KEY)
    forget_local()


def forget_local() -> None:
    _local.clear()
