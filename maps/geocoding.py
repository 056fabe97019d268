"""Address search and reverse geocoding behind one small interface.

    geocode("Trangravsvej 14")  -> [Place, ...]
    reverse(55.6797, 12.5960)   -> Place | None

The backend is chosen by settings.GEOCODER_BACKEND: "nominatim" and "photon" ask a service
over HTTP through geopy; "gazetteer" reads the address list shipped with the site and needs no
network. Answers are cached in the database. A failing, rate-limited or slow service gives no
answer and a log line, never an exception: a pin on the map is always enough to submit an idea.
"""

import csv
import functools
import hashlib
import logging
import math
import threading
import unicodedata
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from geopy.distance import distance as geodesic_distance
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter

from .geometry import validate_point
from .models import GeocodeCacheEntry

logger = logging.getLogger(__name__)

MAX_RESULTS = 8
MAX_QUERY_LENGTH = 200
# The gazetteer answers a reverse lookup only with an address this close to the pin.
GAZETTEER_REVERSE_RADIUS_M = 250


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float

    def as_dict(self) -> dict:
        return asdict(self)


def geocode(query: str) -> list[Place]:
    """Places matching an address or place name, best first; [] when none or on failure."""
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    if not query:
        return []
    backend = get_backend()
    area = search_area()
    # The same words in Harstad and in København are different searches.
    cached = _cache_get(backend.name, "search", query.casefold(), area.key)
    if cached is not None:
        return [Place(**item) for item in cached]
    try:
        places = backend.geocode(query, area)[:MAX_RESULTS]
    except (GeopyError, OSError, ValueError) as error:
        logger.warning("Geocoding %r with %s failed: %s", query, backend.name, error)
        return []
    _cache_put(backend.name, "search", query.casefold(), [p.as_dict() for p in places], area.key)
    return places


@dataclass(frozen=True)
class SearchArea:
    """Where the municipality served searches: its countries (Nominatim keeps to them) and its
    map centre (Photon ranks places near it first)."""

    countries: tuple[str, ...]
    near: tuple[float, float] | None

    @property
    def key(self) -> str:
        near = f"{self.near[0]:.2f},{self.near[1]:.2f}" if self.near else ""
        return f"{','.join(self.countries)}|{near}"


def search_area() -> SearchArea:
    from civic import branding

    brand = branding.effective()
    countries = tuple(
        code.strip().lower() for code in (brand.geocoder_countries or "").split(",") if code.strip()
    )
    return SearchArea(countries=countries, near=(brand.center_lat, brand.center_lon))


def reverse(latitude, longitude) -> Place | None:
    """The address nearest to a point, or None when unknown or on failure."""
    lon, lat = validate_point(longitude, latitude)
    backend = get_backend()
    # ~1 m: nearby clicks on the same doorstep share one cached answer.
    key = f"{lat:.5f},{lon:.5f}"
    cached = _cache_get(backend.name, "reverse", key)
    if cached is not None:
        return Place(**cached[0]) if cached else None
    try:
        place = backend.reverse(lat, lon)
    except (GeopyError, OSError, ValueError) as error:
        logger.warning("Reverse geocoding %s with %s failed: %s", key, backend.name, error)
        return None
    _cache_put(backend.name, "reverse", key, [place.as_dict()] if place else [])
    return place


# --- cache ---------------------------------------------------------------------------------------


def _cache_key(backend: str, operation: str, query: str, area: str = "") -> str:
    within = f"\x00{area}" if area else ""
    return hashlib.sha256(f"{backend}\x00{operation}\x00{query}{within}".encode()).hexdigest()


def _cache_get(backend: str, operation: str, query: str, area: str = "") -> list | None:
    entry = (
        GeocodeCacheEntry.objects.filter(
            key=_cache_key(backend, operation, query, area), expires_at__gt=timezone.now()
        )
        .only("result")
        .first()
    )
    return entry.result if entry is not None else None


def _cache_put(backend: str, operation: str, query: str, result: list, area: str = "") -> None:
    key = _cache_key(backend, operation, query, area)
    expires_at = timezone.now() + timedelta(seconds=settings.GEOCODER_CACHE_TTL_SECONDS)
    try:
        # Two requests may race to cache the same answer; either copy is right.
        with transaction.atomic():
            GeocodeCacheEntry.objects.update_or_create(
                key=key,
                defaults={
                    "backend": backend,
                    "query": query[:300],
                    "result": result,
                    "expires_at": expires_at,
                },
            )
    except IntegrityError:
        pass


def purge_expired_cache() -> int:
    deleted, _details = GeocodeCacheEntry.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


# --- backends ------------------------------------------------------------------------------------


class GeopyBackend:
    """Nominatim or Photon through geopy, at most one request per GEOCODER_MIN_DELAY_SECONDS."""

    def __init__(self, name: str, service):
        self.name = name
        self.service = service
        # The limiter is shared by every request this process serves, which is what the
        # services' usage policies count; no retries, since a person is waiting.
        delay = settings.GEOCODER_MIN_DELAY_SECONDS
        self._geocode = RateLimiter(
            service.geocode, min_delay_seconds=delay, max_retries=0, swallow_exceptions=False
        )
        self._reverse = RateLimiter(
            service.reverse, min_delay_seconds=delay, max_retries=0, swallow_exceptions=False
        )
        self._lock = threading.Lock()

    def geocode(self, query: str, area: SearchArea | None = None) -> list[Place]:
        options = {}
        if area is not None and self.name == "nominatim" and area.countries:
            options["country_codes"] = list(area.countries)
        if area is not None and self.name == "photon" and area.near:
            options["location_bias"] = area.near
        with self._lock:
            locations = self._geocode(query, exactly_one=False, limit=MAX_RESULTS, **options) or []
        return [_place(location) for location in locations]

    def reverse(self, latitude: float, longitude: float) -> Place | None:
        with self._lock:
            location = self._reverse((latitude, longitude), exactly_one=True)
        return _place(location) if location else None


def _place(location) -> Place:
    return Place(
        label=location.address,
        latitude=float(location.latitude),
        longitude=float(location.longitude),
    )


class GazetteerBackend:
    """The shipped CSV of addresses: substring search and nearest-address reverse lookup."""

    name = "gazetteer"

    def __init__(self, path: Path):
        self.path = Path(path)

    def geocode(self, query: str, area: SearchArea | None = None) -> list[Place]:
        # The shipped file holds one city's addresses; there is no area to keep to.
        needle = _fold(query)
        words = needle.split()
        ranked = []
        for place, folded in _load_gazetteer(str(self.path)):
            if folded.startswith(needle):
                rank = 0
            elif needle in folded:
                rank = 1
            elif words and all(word in folded for word in words):
                rank = 2
            else:
                continue
            ranked.append((rank, len(folded), folded, place))
        ranked.sort(key=lambda item: item[:3])
        return [item[3] for item in ranked[:MAX_RESULTS]]

    def reverse(self, latitude: float, longitude: float) -> Place | None:
        # An equirectangular estimate picks the candidate; geopy confirms the distance.
        scale = math.cos(math.radians(latitude))
        best, best_score = None, math.inf
        for place, _folded in _load_gazetteer(str(self.path)):
            score = (place.latitude - latitude) ** 2 + ((place.longitude - longitude) * scale) ** 2
            if score < best_score:
                best, best_score = place, score
        if best is None:
            return None
        metres = geodesic_distance((latitude, longitude), (best.latitude, best.longitude)).m
        return best if metres <= GAZETTEER_REVERSE_RADIUS_M else None


def _fold(text: str) -> str:
    """Case- and accent-insensitive form, so "Papiroen" finds "Papirøen" and "kobenhavn"."""
    text = text.casefold().replace("ø", "o").replace("æ", "ae").replace("å", "a")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace(",", " ").split())


@functools.lru_cache(maxsize=4)
def _load_gazetteer(path: str) -> tuple[tuple[Place, str], ...]:
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        logger.error("The gazetteer %s cannot be read: %s", path, error)
        return ()
    places = []
    for row in rows:
        try:
            place = Place(
                label=row["label"].strip(),
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
            )
        except (KeyError, TypeError, ValueError):
            continue
        places.append((place, _fold(place.label)))
    return tuple(places)


_backends: dict[tuple, object] = {}
_backends_lock = threading.Lock()


def get_backend():
    """The configured backend, one instance per configuration so its rate limit is shared."""
    config = (
        settings.GEOCODER_BACKEND,
        settings.GEOCODER_URL,
        settings.GEOCODER_USER_AGENT,
        settings.GEOCODER_TIMEOUT,
        settings.GEOCODER_MIN_DELAY_SECONDS,
        str(settings.GEOCODER_GAZETTEER_PATH),
    )
    with _backends_lock:
        if config not in _backends:
            _backends[config] = _build_backend(*config)
        return _backends[config]


def _build_backend(name, url, user_agent, timeout, _delay, gazetteer_path):
    if name == "gazetteer":
        return GazetteerBackend(gazetteer_path)
    from geopy.adapters import URLLibAdapter

    # urllib without retries: geopy's default requests adapter retries a timed-out read twice,
    # which turns a 3 s timeout into 9 s of a person waiting.
    options = {"user_agent": user_agent, "timeout": timeout, "adapter_factory": URLLibAdapter}
    if url:
        parts = urlsplit(url)
        options["scheme"] = parts.scheme or "https"
        options["domain"] = (parts.netloc + parts.path).rstrip("/")
    if name == "nominatim":
        from geopy.geocoders import Nominatim

        return GeopyBackend("nominatim", Nominatim(**options))
    if name == "photon":
        from geopy.geocoders import Photon

        return GeopyBackend("photon", Photon(**options))
    raise ValueError(f"Unknown GEOCODER_BACKEND {name!r}: use nominatim, photon or gazetteer.")
