"""Reads of a map survey: its questions, a person's own answers, the public aggregate of all
drawn answers and the planners' list of single answers.

The public never reads a single drawing with who drew it: points are clustered on a grid as
pins are (maps.clustering), and lines and areas are counted per grid cell they cross. Every read
here is a fixed number of queries, however many answers there are.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from shapely.geometry import box, shape

from civic.pagecache import page_version_keys
from maps.clustering import cell_size, grid_clusters
from maps.geometry import area_bounds

from .models import Consultation, DrawnAnswer, MapQuestion

# Lines and areas are counted in about this many grid cells over the consultation's area.
TARGET_CELLS = 400
# A drawing crossing more cells than this is counted in the cells of its first ones only: a
# valid drawing inside the area never does at the default grid, a crafted one must not make
# the feed slow.
MAX_CELLS_PER_DRAWING = 2_000


def questions(consultation: Consultation) -> list[MapQuestion]:
    return list(consultation.map_questions.order_by("position", "pk"))


def own_answers(user, consultation: Consultation) -> dict[int, list[DrawnAnswer]]:
    """The person's answers per question id (hidden ones too: they are the person's own)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    by_question: dict[int, list[DrawnAnswer]] = defaultdict(list)
    for answer in DrawnAnswer.objects.filter(consultation=consultation, author=user).order_by(
        "created_at", "pk"
    ):
        by_question[answer.question_id].append(answer)
    return dict(by_question)


@dataclass(frozen=True)
class QuestionSummary:
    question: MapQuestion
    answers: int
    people: int


def summaries(consultation: Consultation) -> list[QuestionSummary]:
    """Each question with how many public answers it has and from how many people."""
    from django.db.models import Count, Q

    counted = consultation.map_questions.order_by("position", "pk").annotate(
        answer_count=Count("answers", filter=Q(answers__is_hidden=False)),
        people_count=Count("answers__author", filter=Q(answers__is_hidden=False), distinct=True),
    )
    return [
        QuestionSummary(question=q, answers=q.answer_count, people=q.people_count) for q in counted
    ]


def _grid_size(consultation: Consultation, zoom: int | None) -> float:
    from maps.clustering import BBox

    bounds = area_bounds(consultation.area)
    bbox = BBox(*bounds) if bounds else None
    return cell_size(zoom, bbox, settings.MAP_CLUSTER_MAX_CELLS, target_cells=TARGET_CELLS)


def count_grid(geometries, size: float) -> dict[tuple[int, int], int]:
    """How many of the geometries cross each grid cell of `size` degrees."""
    import math

    counts: dict[tuple[int, int], int] = defaultdict(int)
    for geometry in geometries:
        west, south, east, north = geometry.bounds
        seen = 0
        for x in range(math.floor(west / size), math.floor(east / size) + 1):
            for y in range(math.floor(south / size), math.floor(north / size) + 1):
                seen += 1
                if seen > MAX_CELLS_PER_DRAWING:
                    break
                if geometry.intersects(box(x * size, y * size, (x + 1) * size, (y + 1) * size)):
                    counts[(x, y)] += 1
    return counts


def public_feed_kept(consultation: Consultation, zoom: int | None = None) -> dict:
    """`public_feed`, kept MAP_CLUSTER_CACHE_SECONDS under the consultation's page versions: a
    question or an answer added, changed, hidden or removed announces MAP_SURVEY, which moves
    them on (civic.changes), so the next visitor gets the new aggregate; a crowd on the survey
    map costs one fold per zoom and change, not one per visit. The caller has already checked
    that the person may see the consultation."""
    seconds = settings.MAP_CLUSTER_CACHE_SECONDS
    if seconds <= 0:
        return public_feed(consultation, zoom)
    versions = cache.get_many(page_version_keys(consultation.pk))
    fingerprint = repr((consultation.pk, sorted(versions.items()), zoom)).encode()
    key = "survey:feed:" + hashlib.sha256(fingerprint).hexdigest()
    feed = cache.get(key)
    if feed is None:
        feed = public_feed(consultation, zoom)
        cache.set(key, feed, seconds)
    return feed


def public_feed(consultation: Consultation, zoom: int | None = None) -> dict:
    """The public aggregate as a GeoJSON FeatureCollection: clusters of drawn points and grid
    cells counting lines and areas, each with its question id. No author, no comment, no
    single drawing."""
    size = _grid_size(consultation, zoom)
    features: list[dict] = []
    asked = questions(consultation)
    public = DrawnAnswer.objects.public().filter(consultation=consultation)
    drawn = defaultdict(list)
    shapes_wanted = [q.pk for q in asked if q.kind != MapQuestion.Kind.POINT]
    if shapes_wanted:
        for question_id, text in public.filter(question_id__in=shapes_wanted).values_list(
            "question_id", "geometry"
        ):
            drawn[question_id].append(shape(json.loads(text)))
    for question in asked:
        if question.kind != MapQuestion.Kind.POINT:
            continue
        # One query per point question: the count grows with the questions, not the answers.
        for cluster in grid_clusters(
            public.filter(question=question), size, settings.MAP_CLUSTER_MAX_CELLS
        ):
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [
                            round(cluster["longitude"], 6),
                            round(cluster["latitude"], 6),
                        ],
                    },
                    "properties": {
                        "question": question.pk,
                        "kind": "cluster",
                        "count": cluster["count"],
                    },
                }
            )
    for question in asked:
        if question.kind == MapQuestion.Kind.POINT:
            continue
        for (x, y), count in sorted(count_grid(drawn[question.pk], size).items()):
            cell = box(x * size, y * size, (x + 1) * size, (y + 1) * size)
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [
                            [[round(a, 7), round(b, 7)] for a, b in cell.exterior.coords]
                        ],
                    },
                    "properties": {"question": question.pk, "kind": "cell", "count": count},
                }
            )
    return {"type": "FeatureCollection", "cell_size": size, "features": features}


def answers_for_planners(consultation: Consultation, *, include_hidden: bool = True):
    """Single answers with the author's public name columns and no contact data."""
    answers = DrawnAnswer.objects.filter(consultation=consultation).select_related("question")
    if not include_hidden:
        answers = answers.public()
    return answers.only(
        "pk",
        "question_id",
        "question__prompt",
        "question__kind",
        "author_id",
        "geometry",
        "vertex_count",
        "comment",
        "is_hidden",
        "hidden_reason",
        "created_at",
        "author__display_name",
        "author__show_name_publicly",
        "author__pseudonym_code",
        "author__is_deleted",
    ).select_related("author")


# Colours of the questions on map pictures and their legends, in question order: each stands
# out against the light background map by at least 3:1 (models.contrast_ratio).
QUESTION_COLOURS = ("#6b3fa0", "#0b6e4f", "#a4501b", "#005a8c", "#8b1a4a", "#4d5d0a")
# A picture with more drawings than this is a blot; the newest are drawn.
PICTURE_MAX_ANSWERS = 5_000


def question_colours(consultation: Consultation) -> dict[int, str]:
    ids = consultation.map_questions.order_by("position", "pk").values_list("pk", flat=True)
    return {pk: QUESTION_COLOURS[i % len(QUESTION_COLOURS)] for i, pk in enumerate(ids)}


def drawn_shapes_for_picture(consultation: Consultation) -> list:
    """The public drawn answers as maps.static_map.PlanShape, coloured by question: two
    queries, whatever the number of answers."""
    from maps.static_map import PlanShape

    if consultation.kind != Consultation.Kind.MAP_SURVEY:
        return []
    colours = question_colours(consultation)
    rows = (
        DrawnAnswer.objects.public()
        .filter(consultation=consultation)
        .order_by("-pk")
        .values_list("question_id", "geometry")[:PICTURE_MAX_ANSWERS]
    )
    return [
        PlanShape(
            geometry=json.loads(geometry),
            colour=colours.get(question_id, QUESTION_COLOURS[0]),
            width=2,
            fill=colours.get(question_id, QUESTION_COLOURS[0]),
            fill_opacity=0.15,
        )
        for question_id, geometry in reversed(rows)
    ]


def drawn_legend(consultation: Consultation) -> list[dict]:
    """Each question with its colour on the map pictures and its number of public answers."""
    if consultation.kind != Consultation.Kind.MAP_SURVEY:
        return []
    colours = question_colours(consultation)
    return [
        {
            "prompt": item.question.prompt,
            "kind": item.question.kind,
            "colour": colours[item.question.pk],
            "answers": item.answers,
        }
        for item in summaries(consultation)
    ]
