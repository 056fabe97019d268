"""Reads of consultations that depend on who is asking."""

import copy
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from civic import permissions as civic
from civic import tenancy
from civic.changes import next_version
from civic.search import matching
from maps.geometry import area_marker

from .models import (
    Category,
    Consultation,
    Phase,
    PlanFeature,
    PlanFeatureShape,
    PlanLayer,
    Topic,
)


def consultations_visible_to(user) -> QuerySet[Consultation]:
    """Everything published or closed, plus the drafts this person may see.

    Drafts of a planner limited to assigned consultations stay with that planner's own.
    """
    visible = Consultation.objects.visible()
    if civic.is_administrator(user) or civic.is_councillor(user):
        return Consultation.objects.all()
    if civic.is_planner(user):
        drafts = Consultation.objects.managed_by(user).filter(status=Consultation.Status.DRAFT)
        return Consultation.objects.filter(
            pk__in=visible.values("pk")
        ) | Consultation.objects.filter(pk__in=drafts.values("pk"))
    return visible


def with_timeline(queryset: QuerySet[Consultation]) -> QuerySet[Consultation]:
    """Phases and categories in one query each, whatever the number of consultations."""
    return queryset.prefetch_related(
        Prefetch("phases", queryset=Phase.objects.order_by("starts_at")),
        Prefetch("categories", queryset=Category.objects.order_by("position", "name")),
    )


def consultation_sections(user, now=None) -> dict[str, QuerySet[Consultation]]:
    """The list page's sections, each a query with the timeline prefetched.

    Open ones that close soonest come first, upcoming ones by opening date, closed ones newest
    first; drafts only for those who may see them.
    """
    now = now or timezone.now()
    base = consultations_visible_to(user).with_dates()
    sections = {
        "open": base.in_state("open", now).order_by("closes_at", "pk"),
        "upcoming": base.in_state("upcoming", now).order_by("opens_at", "pk"),
        "closed": base.in_state("closed", now).order_by("-closes_at", "-created_at", "pk"),
    }
    if civic.is_administrator(user) or civic.is_planner(user) or civic.is_councillor(user):
        sections["drafts"] = base.filter(status=Consultation.Status.DRAFT).order_by("-updated_at")
    return {name: with_timeline(queryset) for name, queryset in sections.items()}


def search_consultations(user, words: list[str]) -> QuerySet[Consultation]:
    """The consultations this person may see (drafts only for staff who may see them) whose
    title, summary or description holds every word, newest first."""
    return (
        consultations_visible_to(user)
        .filter(matching(("title", "summary", "body"), words))
        .order_by("-created_at", "-pk")
    )


def open_consultation_features(now=None) -> dict:
    """The consultations open now as an RFC 7946 FeatureCollection (longitude first): one
    point per consultation with an area, inside its outline, linked to its page. One query.

    Public data only: drafts are never open. Consultations without an area are left out of the
    features; `without_place` counts them so that the list beside the map can name them all.
    """
    open_now = (
        Consultation.objects.visible()
        .with_dates()
        .in_state("open", now or timezone.now())
        .order_by("closes_at", "pk")
        .values("pk", "slug", "title", "summary", "area", "closes_at")
    )
    features = []
    without_place = 0
    for row in open_now:
        point = area_marker(row["area"])
        if point is None:
            without_place += 1
            continue
        features.append(
            {
                "type": "Feature",
                "id": row["pk"],
                "geometry": {"type": "Point", "coordinates": list(point)},
                "properties": {
                    "title": row["title"],
                    "summary": row["summary"],
                    "url": Consultation(slug=row["slug"]).get_absolute_url(),
                    "closes_at": row["closes_at"].isoformat() if row["closes_at"] else None,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features, "without_place": without_place}


def open_consultation_areas(now=None) -> list[dict]:
    """The areas (GeoJSON, or None) of the consultations open now, soonest closing first: what
    a picture of everything open draws. One query; drafts are never open."""
    return list(
        Consultation.objects.visible()
        .with_dates()
        .in_state("open", now or timezone.now())
        .order_by("closes_at", "pk")
        .values_list("area", flat=True)
    )


def consultation_for_viewer(user, slug: str, *, queryset=None) -> Consultation:
    """The consultation (by default with its timeline), or 404 when it does not exist or is a
    draft the person may not see, so that drafts do not reveal themselves by a different answer.

    Every route that takes a consultation's address looks it up here: the same bare 404 for
    both cases, never a message naming the model. `queryset` says what else to load with it.
    """
    if queryset is None:
        queryset = with_timeline(Consultation.objects.all())
    consultation = queryset.filter(slug=slug).first()
    if consultation is None or not civic.can_view_consultation(user, consultation):
        raise Http404
    return consultation


SLUG_ID_SECONDS = 3600


def _slug_key(slug: str) -> str:
    # Each municipality has its own addresses (civic.tenancy).
    return f"consultations:id-of:{tenancy.key_part()}:{slug}"


def consultation_id_for_slug(slug: str) -> int | None:
    """The id behind a consultation address, for keys of cached pages (civic.pagecache).

    Kept in the cache, so a cached page costs no query; saving or deleting the consultation
    forgets it (`forget_slug`), so a slug given to another consultation never leads to the old
    one's pages.
    """
    key = _slug_key(slug)
    consultation_id = cache.get(key)
    if consultation_id is None:
        consultation_id = (
            Consultation.objects.filter(slug=slug).values_list("id", flat=True).first()
        )
        if consultation_id is not None:
            # The way back (id -> slug) lets a change of the consultation forget this address
            # without knowing the slug it had before.
            cache.set_many(
                {key: consultation_id, _slug_of_key(consultation_id): key}, SLUG_ID_SECONDS
            )
    return consultation_id


def _slug_of_key(consultation_id: int) -> str:
    return f"consultations:slug-of:{consultation_id}"


def forget_lookups(consultation_id: int | None) -> None:
    """Forget the address cached for a consultation (civic.changes: its slug may have changed
    or it may be gone)."""
    if consultation_id is None:
        return
    # The key it was kept under, whichever municipality is active now.
    slug_key = cache.get(_slug_of_key(consultation_id))
    if slug_key is not None:
        cache.delete_many([slug_key, _slug_of_key(consultation_id)])


def _rules_version_key(consultation_id: int) -> str:
    return f"consultations:rules-version:{consultation_id}"


def forget_rules(consultation_id: int | None) -> None:
    """A new version of the consultation's rules (civic.changes: it or a phase changed); each
    worker reads its copy again on the next write."""
    if consultation_id is None:
        return
    next_version(_rules_version_key(consultation_id))


# Which consultation each worker last read for the rules of a write, by id:
# (version, read until, consultation with its phases).
_for_rules: dict[int, tuple[object, float, Consultation]] = {}


def consultation_for_rules(consultation_id: int) -> Consultation | None:
    """The consultation with its phases, as the rules of a support read them (status, phases,
    support limit), or None when it does not exist.

    A support storm asks this for every support, so each worker keeps the copy it read while
    the version of the consultation's rules is unchanged: a change of the consultation or of a
    phase (civic.changes) gives it a new one; a support, a vote or a comment does not. Phases
    that open or close by the clock need no new copy, the rules compare their times with now.
    The copy is read again after CONSULTATION_RULES_SECONDS whatever the version says, so a
    cache that is down delays a planner's change by no more than that.
    """

    def read():
        return Consultation.objects.prefetch_related("phases").filter(pk=consultation_id).first()

    seconds = settings.CONSULTATION_RULES_SECONDS
    if seconds <= 0:
        return read()
    version = cache.get(_rules_version_key(consultation_id), 0)
    kept = _for_rules.get(consultation_id)
    now = time.monotonic()
    if kept is None or kept[0] != version or now >= kept[1]:
        consultation = read()
        if consultation is None:
            _for_rules.pop(consultation_id, None)
            return None
        kept = (version, now + seconds, consultation)
        _for_rules[consultation_id] = kept
    elif tenancy.active_id() not in (None, kept[2].municipality_id):
        # The copy was read for another municipality's request: not this one's to act on.
        return None
    # Each caller gets its own object (threads share the worker's copy); the phases read are
    # shared, and nothing on this path changes them.
    return copy.copy(kept[2])


def topic_for_viewer(viewer, pk) -> Topic:
    """The topic with its consultation and phases, or 404 when the viewer may not see the
    consultation: the same answer for "no such topic" and "not yours to see"."""
    topic = (
        Topic.objects.select_related("consultation")
        .prefetch_related("consultation__phases")
        .filter(pk=pk)
        .first()
    )
    if topic is None or not civic.can_view_consultation(viewer, topic.consultation):
        raise Http404
    return topic


# --- plan layers and map services ------------------------------------------------------------

PLAN_FEED_CACHE_SECONDS = 24 * 3600
PLAN_LIST_FEATURES = 50  # features named per layer in the list beside the map


def plan_layers_for_map(consultation: Consultation) -> list[PlanLayer]:
    """The layers in drawing order, each with its first features' names (no geometry) for the
    list beside the map: two queries whatever the number of layers and features."""
    layers = list(consultation.plan_layers.order_by("position", "pk"))
    if not layers:
        return layers
    named = (
        PlanFeature.objects.filter(layer__in=layers, number__lte=PLAN_LIST_FEATURES)
        .only("pk", "layer_id", "number", "name", "kind")
        .order_by("layer_id", "number")
    )
    by_layer: dict[int, list[PlanFeature]] = {layer.pk: [] for layer in layers}
    for feature in named:
        by_layer[feature.layer_id].append(feature)
    for layer in layers:
        layer.listed_features = by_layer[layer.pk]
        layer.unlisted_count = max(0, layer.feature_count - len(layer.listed_features))
    return layers


def plan_layer_for_viewer(user, slug: str, layer_id: int) -> PlanLayer:
    """The layer with its consultation in one query; 404 for a draft the viewer may not see."""
    layer = (
        PlanLayer.objects.select_related("consultation")
        .filter(pk=layer_id, consultation__slug=slug)
        .first()
    )
    if layer is None or not civic.can_view_consultation(user, layer.consultation):
        raise Http404
    return layer


def plan_layer_feed(layer: PlanLayer, zoom: int | None) -> bytes:
    """The layer as an RFC 7946 FeatureCollection (JSON bytes), simplified for `zoom`.

    The shapes for each zoom were simplified when the layer was uploaded; a miss reads one
    level's rows in one query and joins their text. Cached under the layer's version, which every
    change of the layer moves on, so a copy is never stale.
    """
    import json

    from maps import gis

    key = f"plan-feed:{layer.pk}:{layer.version}:{gis.level_for_zoom(zoom)}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    level = gis.level_for_zoom(zoom)
    if level is None:
        rows = (
            PlanFeature.objects.filter(layer_id=layer.pk)
            .order_by("number")
            .values_list("pk", "number", "name", "kind", "properties", "geometry")
        )
    else:
        rows = (
            PlanFeatureShape.objects.filter(feature__layer_id=layer.pk, zoom=level)
            .order_by("feature__number")
            .values_list(
                "feature_id",
                "feature__number",
                "feature__name",
                "feature__kind",
                "feature__properties",
                "geometry",
            )
        )
    head = json.dumps(
        {
            "type": "FeatureCollection",
            "layer": {"id": layer.pk, "name": layer.name, "version": layer.version},
        }
    )[:-1]
    features = ",".join(
        '{"type":"Feature","id":'
        + str(int(pk))
        + ',"geometry":'
        + geometry
        + ',"properties":'
        + json.dumps(
            {"number": number, "name": name, "kind": kind, "attributes": properties},
            ensure_ascii=False,
        )
        + "}"
        for pk, number, name, kind, properties, geometry in rows
    )
    body = f'{head},"features":[{features}]}}'.encode()
    cache.set(key, body, PLAN_FEED_CACHE_SECONDS)
    return body


PICTURE_ZOOM = 13  # the simplification level a whole-area picture needs


def plan_shapes_for_picture(consultation: Consultation) -> list:
    """The plan layers' features as maps.static_map.PlanShape, bottom layer first, from the
    shapes simplified for PICTURE_ZOOM: one query, whatever the number of layers."""
    import json

    from maps.static_map import PlanShape

    rows = (
        PlanFeatureShape.objects.filter(
            feature__layer__consultation=consultation, zoom=PICTURE_ZOOM
        )
        .order_by("feature__layer__position", "feature__layer_id", "feature__number")
        .values_list(
            "geometry",
            "feature__layer__colour",
            "feature__layer__line_width",
            "feature__layer__fill_colour",
            "feature__layer__fill_opacity",
            "feature__layer__dash",
        )
    )
    return [
        PlanShape(
            geometry=json.loads(geometry),
            colour=colour,
            width=width,
            fill=fill,
            fill_opacity=opacity / 100,
            dash=PlanLayer(line_width=width, dash=dash).dash_array,
        )
        for geometry, colour, width, fill, opacity, dash in rows
    ]


def picture_shapes(consultation: Consultation) -> list:
    """What a map picture draws under the pins: the plan layers, then a map survey's drawn
    answers coloured by question."""
    from .survey_selectors import drawn_shapes_for_picture

    return plan_shapes_for_picture(consultation) + drawn_shapes_for_picture(consultation)
