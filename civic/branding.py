"""A municipality's name, logo, colour, map, languages and sender as they are in effect: what
its administrator set (civic.models.Municipality), and for each field left blank the
environment's setting (MUNICIPALITY_NAME, BRAND_COLOUR, BRAND_LOGO_URL, LEAFLET_CONFIG, ...).

Every place that shows one of them asks `effective()`: by default for the municipality being
served (civic.tenancy), so pages, exports built by a job that activated its municipality, e-mails
and posts carry the right name. The values come from the worker's copy of the municipalities
(civic.tenancy.table), so this costs no query; the environment's values are read at every call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError

from . import tenancy

logger = logging.getLogger(__name__)

# The fields an administrator sets in the back office, in the form's order.
STORED_FIELDS = (
    "name",
    "logo",
    "brand_colour",
    "language",
    "languages",
    "contact_email",
    "email_sender",
    "map_center_lat",
    "map_center_lon",
    "map_zoom",
    "tile_url",
    "tile_attribution",
    "geocoder_countries",
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
    language: str = ""
    contact_email: str = ""
    email_sender: str = ""
    geocoder_countries: str = ""
    slug: str = ""


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
        language=settings.LANGUAGE_CODE,
        contact_email=settings.CONTACT_EMAIL,
        email_sender=settings.DEFAULT_FROM_EMAIL,
        geocoder_countries=",".join(getattr(settings, "GEOCODER_COUNTRY_CODES", []) or []),
    )


def effective(municipality=None) -> Branding:
    """The branding of `municipality` (a Served, a Municipality or an id; by default the one
    being served)."""
    base = environment_values()
    try:
        if municipality is None:
            stored = tenancy.current()
        elif isinstance(municipality, tenancy.Served):
            stored = municipality
        else:
            stored = tenancy.served(getattr(municipality, "pk", municipality))
    except DatabaseError:
        # The environment's branding rather than no page at all (the 503 page, say); nothing is
        # kept, so the municipalities are read again once the database answers.
        logger.warning("municipalities unreadable; using the environment's branding")
        return base
    if stored is None:
        return base

    def pick(field, default):
        value = getattr(stored, field)
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
        language=pick("language", base.language),
        contact_email=pick("contact_email", base.contact_email),
        email_sender=pick("email_sender", base.email_sender),
        geocoder_countries=pick("geocoder_countries", base.geocoder_countries),
        slug=stored.slug,
    )


def mail_subject(subject: str, brand: Branding | None = None) -> str:
    """An e-mail's subject, prefixed with the municipality it comes from (`brand`, by default
    the one active): a resident of two municipalities sees at once which one writes."""
    return f"[{(brand or effective()).name}] {subject}"


def forget() -> None:
    """After a municipality's settings are saved: every worker reads them again (this one at
    once, the others within civic.tenancy.LOCAL_SECONDS)."""
    tenancy.forget()


def forget_local() -> None:
    tenancy.forget_local()
