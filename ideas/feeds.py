"""GeoJSON feed of a consultation's ideas for the map, and the nearby-duplicates lookup.

/api/v1/consultations/{slug}/ideas.geojson?bbox=west,south,east,north&zoom=&category=&status=
    RFC 7946 FeatureCollection (longitude first) of public ideas. Below MAP_CLUSTER_BELOW_ZOOM
    with more than MAP_CLUSTER_MIN_IDEAS ideas in view, or at any zoom with more than
    MAP_FEED_MAX_POINTS, grid clusters computed in SQL (`properties.cluster: true`,
    `properties.count`); the counts add up to `total`.
/api/v1/consultations/{slug}/ideas/nearby/?lat=&lon=&title=
    Up to five public ideas within NEARBY_DUPLICATE_RADIUS_M, most similar title first.
"""

import difflib
import hashlib
import math
import re
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from geopy.distance import distance as geodesic_distance
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from civic import tenancy
from civic.changes import next_version
from civic.httpcache import consultation_tag, mark_private, mark_public
from civic.pagecache import (
    checked_moments_ago,
    forget_checked,
    page_version_keys,
    remember_checked,
)
from civic.query_params import optional_id
from consultations.models import Consultation
from consultations.selectors import consultation_for_viewer, consultation_id_for_slug
from maps.clustering import (
    BBox,
    cell_size,
    grid_clusters,
    parse_bbox,
    parse_choice,
    parse_id,
    parse_zoom,
)
from maps.geometry import area_bounds, validate_point

from .models import Idea, IdeaStatus

DEFAULT_COLOUR = "#4a5568"
NEARBY_LIMIT = 5
# Candidates read from the box around the pin before exact distances; a busy square may hold
# more, and the nearest of them are the ones that matter.
NEARBY_CANDIDATES = 400
METRES_PER_DEGREE_LATITUDE = 111_320.0

FEATURE_FIELDS = (
    "id",
    "reference",
    "title",
    "status",
    "support_count",
    "address_label",
    "longitude",
    "latitude",
    "category__name",
    "category__colour",
)


def _consultation_for(request, slug: str) -> Consultation:
    return consultation_for_viewer(request.user, slug, queryset=Consultation.objects.all())


def filtered_ideas(consultation: Consultation, *, category: str | None, status: str | None):
    """The public ideas of a consultation with the map's category and status filters."""
    ideas = Idea.objects.published().filter(consultation=consultation)
    category_id = parse_id("category", category)
    if category_id is not None:
        ideas = ideas.filter(category_id=category_id)
    status = parse_choice("status", status, list(IdeaStatus.values))
    if status is not None:
        ideas = ideas.filter(status=status)
    return ideas


def idea_url_pattern() -> str | None:
    """The idea page URL with a `{}` where the reference goes.

    Reversing once and formatting per row keeps 2,000 features from costing 2,000 reverse()
    calls; None while the ideas pages are not routed.
    """
    marker = "REFERENCE-MARKER"
    try:
        url = reverse("ideas:detail", kwargs={"reference": marker})
    except NoReverseMatch:
        return None
    return url.replace("{", "{{").replace("}", "}}").replace(marker, "{}")


def point_feature(row: dict, url_pattern: str | None) -> dict:
    return {
        "type": "Feature",
        "id": row["id"],
        "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
        "properties": {
            "id": row["id"],
            "reference": row["reference"],
            "title": row["title"],
            "category": row["category__name"] or "",
            "colour": row["category__colour"] or DEFAULT_COLOUR,
            "status": row["status"],
            "support_count": row["support_count"],
            "address_label": row["address_label"],
            "url": url_pattern.format(quote(row["reference"])) if url_pattern else None,
        },
    }


def cluster_feature(cluster: dict) -> dict:
    return {
        "type": "Feature",
        "geometry": {
            "type": "Point",
            "coordinates": [round(cluster["longitude"], 7), round(cluster["latitude"], 7)],
        },
        "properties": {"cluster": True, "count": cluster["count"]},
    }


def idea_features(
    consultation: Consultation,
    *,
    bbox: BBox | None,
    zoom: int | None,
    category: str | None = None,
    status: str | None = None,
) -> dict:
    """The FeatureCollection for one map view, in at most two queries."""
    ideas = filtered_ideas(consultation, category=category, status=status)
    if bbox is not None:
        ideas = ideas.in_bbox(bbox.west, bbox.south, bbox.east, bbox.north)
    max_points = settings.MAP_FEED_MAX_POINTS
    max_features = settings.MAP_FEED_MAX_FEATURES
    if zoom is not None and zoom < settings.MAP_CLUSTER_BELOW_ZOOM:
        # Zoomed out, a handful of ideas is still better shown as pins (the browser groups
        # them) than as circles saying "1"; past that, the server folds them.
        max_points = min(max_points, settings.MAP_CLUSTER_MIN_IDEAS)
    size = _cell_size_for(consultation, bbox, zoom, max_features)
    key = _clusters_key(consultation, bbox, size, (max_points, max_features), category, status)
    # A view that was too crowded for pins moments ago still is: answer its cached clusters
    # without reading the first MAP_FEED_MAX_POINTS rows again to find out.
    clusters = cache.get(key) if key else None
    if clusters is None:
        # One row more than allowed tells us the view is too crowded for single pins.
        rows = list(ideas.order_by().values(*FEATURE_FIELDS)[: max_points + 1])
        if len(rows) <= max_points:
            url_pattern = idea_url_pattern()
            features = [point_feature(row, url_pattern) for row in rows]
            return _collection(features, total=len(features), clustered=False, bbox=bbox)
        clusters = grid_clusters(ideas, size, limit=max_features)
        if key:
            cache.set(key, clusters, settings.MAP_CLUSTER_CACHE_SECONDS)
    features = [cluster_feature(cluster) for cluster in clusters]
    return _collection(features, total=sum(c["count"] for c in clusters), clustered=True, bbox=bbox)


def _cell_size_for(consultation, bbox: BBox | None, zoom: int | None, max_features: int) -> float:
    extent = bbox
    if extent is None:
        # Without a box the ideas lie in the area, or anywhere when there is none; sizing the
        # cells to that extent keeps their number, and so the feature cap, in bounds.
        bounds = area_bounds(consultation.area)
        extent = BBox(*bounds) if bounds else BBox(-180.0, -90.0, 180.0, 90.0)
    # Half the cap: cells on the box edges can add a margin beyond the area estimate. A view
    # crowded enough to be folded is folded into a screenful of circles, not thousands.
    max_cells = min(max_features // 2, max(1, settings.MAP_CLUSTER_MAX_CELLS))
    return cell_size(zoom, extent, max_cells=max_cells)


def _clusters_key(consultation, bbox, size, limits, category, status) -> str | None:
    """Cache key of a view's grid clusters, kept MAP_CLUSTER_CACHE_SECONDS (None: not kept).

    Folding 100,000 rows is the one expensive read on the map and everyone who opens the page
    asks for the same overview; counts that lag a new idea by half a minute are fine at a zoom
    where one idea is a pixel, and a new, moved or hidden idea gives them a new version
    (civic.changes). Single pins are never cached, so a new idea shows at once there.
    """
    if settings.MAP_CLUSTER_CACHE_SECONDS <= 0:
        return None
    box = (bbox.west, bbox.south, bbox.east, bbox.north) if bbox else None
    version = cache.get(_clusters_version_key(consultation.pk), 0)
    fingerprint = repr((consultation.pk, version, box, size, limits, category, status)).encode()
    return "maps:clusters:" + hashlib.sha256(fingerprint).hexdigest()


def _clusters_version_key(consultation_id: int) -> str:
    return f"maps:clusters-version:{consultation_id}"


def map_version_keys(consultation_id: int) -> list[str]:
    """The version keys every cached answer about where a consultation's ideas and comments
    are must follow: the clusters' (ideas added, moved, hidden) and the pages' (comments)."""
    return [_clusters_version_key(consultation_id), *page_version_keys(consultation_id)]


def forget_clusters(consultation_id: int | None) -> None:
    """A new version of a consultation's cached clusters (civic.changes: an idea was added,
    moved, hidden or removed)."""
    if consultation_id is None:
        return
    # This worker's kept answers go at once (the others' within PAGE_CACHE_LOCAL_SECONDS).
    forget_checked()
    next_version(_clusters_version_key(consultation_id))


def _collection(features: list, *, total: int, clustered: bool, bbox: BBox | None) -> dict:
    collection = {"type": "FeatureCollection", "features": features}
    if bbox is not None:
        collection["bbox"] = [bbox.west, bbox.south, bbox.east, bbox.north]
    # Foreign members (RFC 7946 section 6.1) the map uses for its status line.
    collection["total"] = total
    collection["clustered"] = clustered
    return collection


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"
    charset = "utf-8"


FEED_PARAMETERS = [
    OpenApiParameter(
        "bbox", OpenApiTypes.STR, description="west,south,east,north in degrees (WGS 84)"
    ),
    OpenApiParameter("zoom", OpenApiTypes.INT, description="Map zoom 0-22; clusters below 16"),
    OpenApiParameter("category", OpenApiTypes.INT, description="Category id"),
    OpenApiParameter("status", OpenApiTypes.STR, enum=list(IdeaStatus.values)),
]


class IdeasGeoJSONView(APIView):
    """The consultation's public ideas as an RFC 7946 FeatureCollection (longitude first).

    Single pins carry id, reference, title, category, colour, status, support_count,
    address_label and url; at low zoom, or when the view is crowded, features are grid
    clusters with `cluster: true` and `count`, and the counts add up to `total`.
    """

    permission_classes = [AllowAny]
    # Errors (400, 404) are plain JSON; a successful answer is GeoJSON.
    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    def dispatch(self, request, *args, **kwargs):
        # A crowd on the map asks the same few views anonymously: their kept answer goes out
        # before DRF wraps the request (authentication, negotiation), the costliest part of a
        # hit. Everything else, errors included, takes DRF's path below.
        kept = _kept_anonymous_answer(request, kwargs.get("slug", ""))
        if kept is not None:
            return kept
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(parameters=FEED_PARAMETERS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request, slug: str):
        view = _requested_view(request.query_params)
        anonymous = not request.user.is_authenticated
        consultation_id = consultation_id_for_slug(slug) if anonymous else None
        key = _feed_key(consultation_id, view) if consultation_id is not None else None
        content = cache.get(key) if key else None
        if content is None:
            consultation = _consultation_for(request, slug)
            collection = idea_features(consultation, **view)
            if not anonymous:
                # A planner's or a token holder's answer may show a draft: this person's only.
                return mark_private(Response(collection))
            content = JSONRenderer().render(collection)
            if key and consultation.status != Consultation.Status.DRAFT:
                cache.set(key, content, settings.MAP_CLUSTER_CACHE_SECONDS)
        # An anonymous answer is the same bytes for everyone: kept and sent as they are.
        return _anonymous_answer(content, request.accepted_renderer.media_type, consultation_id)


def _requested_view(params) -> dict:
    """The map view asked for; ValidationError (a 400 naming the field) for a bad parameter."""
    return {
        "bbox": parse_bbox(params.get("bbox")),
        "zoom": parse_zoom(params.get("zoom")),
        "category": optional_id(params.get("category"), name="category"),
        "status": params.get("status") or None,
    }


def _anonymous_answer(content: bytes, media_type: str, consultation_id: int) -> HttpResponse:
    response = HttpResponse(content, content_type=f"{media_type}; charset=utf-8")
    # What DRF's own answers of this view say, so both ways give the same headers.
    response["Allow"] = "GET, HEAD, OPTIONS"
    patch_vary_headers(response, ("Accept",))
    return mark_public(response, [consultation_tag(consultation_id)])


def _kept_anonymous_answer(request, slug: str) -> HttpResponse | None:
    """The kept answer for a request that DRF would treat as anonymous and answer as GeoJSON,
    or None (then DRF's path answers: a signed-in person, a token, another format, a bad
    parameter, an answer not kept yet)."""
    if (
        request.method != "GET"
        or settings.MAP_CLUSTER_CACHE_SECONDS <= 0
        or "HTTP_AUTHORIZATION" in request.META
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or request.META.get("HTTP_ACCEPT", "*/*") not in ("*/*", GeoJSONRenderer.media_type)
        or "format" in request.GET
    ):
        return None
    # What this worker found current moments ago is sent without a cache round trip, as the
    # page cache does (civic.pagecache): a change reaches the crowd at most
    # PAGE_CACHE_LOCAL_SECONDS later, and at once on the worker that made it.
    local_key = f"maps:feed:{tenancy.key_part()}:{slug}?{request.META.get('QUERY_STRING', '')}"
    kept = checked_moments_ago(local_key)
    if kept is None:
        try:
            view = _requested_view(request.GET)
        except ValidationError:
            return None
        consultation_id = consultation_id_for_slug(slug)
        key = _feed_key(consultation_id, view) if consultation_id is not None else None
        content = cache.get(key) if key else None
        if content is None:
            return None
        kept = {"content": content, "consultation": consultation_id, "fresh_until": math.inf}
        remember_checked(local_key, kept)
    return _anonymous_answer(kept["content"], GeoJSONRenderer.media_type, kept["consultation"])


def _feed_key(consultation_id: int, view: dict) -> str | None:
    """Cache key of an anonymous visitor's whole answer for one map view (None: not kept).

    A crowd on the map asks the same few views; a kept answer costs no query (the address and
    the versions come from the cache too). A new, moved or hidden idea (the clusters' version)
    and a change of the consultation or of a shown name (the pages' versions, civic.pagecache)
    give it a new key; support counts on pins may be MAP_CLUSTER_CACHE_SECONDS old, as on the
    anonymous pages.
    """
    if settings.MAP_CLUSTER_CACHE_SECONDS <= 0:
        return None
    versions = cache.get_many(
        [_clusters_version_key(consultation_id), *page_version_keys(consultation_id)]
    )
    bbox = view["bbox"]
    box = (bbox.west, bbox.south, bbox.east, bbox.north) if bbox else None
    fingerprint = repr(
        (
            consultation_id,
            sorted(versions.items()),
            box,
            view["zoom"],
            view["category"],
            view["status"],
            # What decides between pins and clusters (fixed in production, not in tests).
            settings.MAP_CLUSTER_MAX_CELLS,
            settings.MAP_FEED_MAX_POINTS,
            settings.MAP_FEED_MAX_FEATURES,
            settings.MAP_CLUSTER_BELOW_ZOOM,
            settings.MAP_CLUSTER_MIN_IDEAS,
        )
    ).encode()
    return "maps:feed:" + hashlib.sha256(fingerprint).hexdigest()


# --- nearby duplicates ---------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


def title_similarity(a: str, b: str) -> float:
    """0..1, language-agnostic: the better of character-sequence likeness and word overlap."""
    a, b = a.casefold().strip(), b.casefold().strip()
    if not a or not b:
        return 0.0
    sequence = difflib.SequenceMatcher(None, a, b).ratio()
    words_a, words_b = set(_WORD.findall(a)), set(_WORD.findall(b))
    overlap = len(words_a & words_b) / len(words_a | words_b) if words_a | words_b else 0.0
    return max(sequence, overlap)


def nearby_ideas(
    consultation: Consultation, *, latitude: float, longitude: float, title: str = ""
) -> list[dict]:
    """Public ideas within the duplicate radius, ranked by title likeness and closeness."""
    radius = float(settings.NEARBY_DUPLICATE_RADIUS_M)
    delta_lat = radius / METRES_PER_DEGREE_LATITUDE
    cos_lat = math.cos(math.radians(latitude))
    # Near a pole a metre spans ever more longitude; past that, every longitude is near.
    delta_lon = 180.0 if cos_lat < 1e-6 else min(180.0, delta_lat / cos_lat)
    candidates = (
        Idea.objects.published()
        .filter(consultation=consultation)
        .exclude(status=IdeaStatus.DUPLICATE)
        .in_bbox(
            max(-180.0, longitude - delta_lon),
            max(-90.0, latitude - delta_lat),
            min(180.0, longitude + delta_lon),
            min(90.0, latitude + delta_lat),
        )
        .order_by("-support_count", "id")
        .values(*FEATURE_FIELDS)[:NEARBY_CANDIDATES]
    )
    url_pattern = idea_url_pattern()
    ranked = []
    for row in candidates:
        metres = geodesic_distance((latitude, longitude), (row["latitude"], row["longitude"])).m
        if metres > radius:
            continue
        similarity = title_similarity(title, row["title"]) if title else 0.0
        closeness = 1.0 - metres / radius if radius else 1.0
        score = 0.7 * similarity + 0.3 * closeness
        feature = point_feature(row, url_pattern)["properties"]
        feature.update(distance_m=round(metres), similarity=round(similarity, 3))
        ranked.append((-score, metres, row["id"], feature))
    ranked.sort(key=lambda item: item[:3])
    return [item[3] for item in ranked[:NEARBY_LIMIT]]


class IdeasNearbyView(APIView):
    """Up to five public ideas near a point with titles like `title`: "Is your idea one of
    these?" while a person places a pin."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("lat", OpenApiTypes.NUMBER, required=True),
            OpenApiParameter("lon", OpenApiTypes.NUMBER, required=True),
            OpenApiParameter("title", OpenApiTypes.STR),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, slug: str):
        consultation = _consultation_for(request, slug)
        title = " ".join(request.query_params.get("title", "").split())[:140]
        lon, lat = validate_point(request.query_params.get("lon"), request.query_params.get("lat"))
        results = nearby_ideas(consultation, latitude=lat, longitude=lon, title=title)
        return Response({"radius_m": settings.NEARBY_DUPLICATE_RADIUS_M, "results": results})
