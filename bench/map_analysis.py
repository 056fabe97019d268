"""Benchmark: the planner's map analysis over the `bench` consultation (10,000 ideas).

    .venv/bin/python bench/map_analysis.py [--runs 30] [--write] [--scale 0.05]

On PostgreSQL; DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/civic_planviews_bench.
Seeds the `bench` consultation once (bench/generator.py: ideas, supports, threaded topic
comments), then 5,000 comments on ideas (so the comments layer has points) and a plan layer
with a route and a zoning area. Times through Django's test client, as a planner, the heat feed
of each kind over the whole area and over a street-sized box, a drawn selection over a quarter
of the area (counts and first page) and the analysis page (heat table and plan comparison),
beside the trivial GET of bench/urls.py in the same run: the ratio to it says what the work
costs, whatever the load. With --write replaces the "Map analysis (issue 18)" section of
bench/RESULTS.md.
"""

import json
import sys
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common  # noqa: E402 - the path above makes bench importable

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/civic_planviews_bench"
IDEA_COMMENTS = 5_000
SECTION = "Map analysis (issue 18)"


def setup():
    common.setup_test_client_django(DATABASE_URL)
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.ROOT_URLCONF = "bench.urls"


def seed_idea_comments(consultation, count: int) -> None:
    import random

    from debate.models import Comment
    from ideas.models import Idea

    have = Comment.objects.filter(consultation=consultation, idea__isnull=False).count()
    if have >= count:
        return
    rng = random.Random("map-analysis")
    ideas = list(Idea.objects.filter(consultation=consultation).values_list("pk", flat=True))
    authors = list(
        Comment.objects.filter(consultation=consultation).values_list("author_id", flat=True)[:200]
    )
    Comment.objects.bulk_create(
        [
            Comment(
                consultation=consultation,
                idea_id=rng.choice(ideas),
                author_id=rng.choice(authors),
                body="Good idea for the harbour.",
                body_html="<p>Good idea for the harbour.</p>",
            )
            for _ in range(count - have)
        ],
        batch_size=2000,
    )


def seed_plan(consultation, bounds):
    from consultations.models import PlanFeature, PlanLayer

    layer, created = PlanLayer.objects.get_or_create(consultation=consultation, name="Bench plan")
    if created:
        west, south, east, north = bounds
        mid_lon, mid_lat = (west + east) / 2, (south + north) / 2
        route = {"type": "LineString", "coordinates": [[west, mid_lat], [east, mid_lat]]}
        zone = {
            "type": "Polygon",
            "coordinates": [
                [
                    [west, south],
                    [mid_lon, south],
                    [mid_lon, mid_lat],
                    [west, mid_lat],
                    [west, south],
                ]
            ],
        }
        PlanFeature.objects.create(
            layer=layer, number=1, name="Route", kind="line", geometry=json.dumps(route)
        )
        PlanFeature.objects.create(
            layer=layer, number=2, name="Zone", kind="area", geometry=json.dumps(zone)
        )
    return layer


def main(argv=None):
    args = common.parse_benchmark_arguments(common.benchmark_arguments(__doc__, runs=30), argv)
    setup()
    from django.test import Client
    from django.urls import reverse

    from bench.generator import analyze
    from ideas.models import Idea
    from maps.geometry import area_bounds
    from tests import factories

    sizes = {key: common.scaled(value, args.scale) for key, value in common.SIZES.items()}
    consultation = common.seeded_consultation(sizes)
    idea_comments = common.scaled(IDEA_COMMENTS, args.scale)
    seed_idea_comments(consultation, idea_comments)
    bounds = area_bounds(consultation.area)
    seed_plan(consultation, bounds)
    analyze()
    planner = factories.PlannerFactory.create()
    client = Client()
    client.force_login(planner)
    west, south, east, north = bounds
    quarter = {
        "type": "Polygon",
        "coordinates": [
            [
                [west, south],
                [(west + east) / 2, south],
                [(west + east) / 2, (south + north) / 2],
                [west, (south + north) / 2],
                [west, south],
            ]
        ],
    }
    street = f"{west},{south},{west + (east - west) / 10},{south + (north - south) / 10}"
    heat = reverse("api-consultation-heat", args=[consultation.slug])
    selection = reverse("api-consultation-selection", args=[consultation.slug])
    get = partial(common.getting, client)

    def select():
        response = client.post(selection, {"geometry": quarter}, content_type="application/json")
        assert response.status_code == 200, response.content
        return response

    cold = common.empty_caches
    cases = [
        ("trivial GET (floor)", get(reverse("bench-trivial")), None),
        ("heat, ideas, whole area, zoom 15", get(f"{heat}?kind=ideas&zoom=15"), cold),
        ("heat, supports, whole area, zoom 15", get(f"{heat}?kind=supports&zoom=15"), cold),
        ("heat, comments, whole area, zoom 15", get(f"{heat}?kind=comments&zoom=15"), cold),
        ("heat, ideas, street box, zoom 18", get(f"{heat}?kind=ideas&zoom=18&bbox={street}"), cold),
        ("heat, ideas, whole area, cached", get(f"{heat}?kind=ideas&zoom=15"), None),
        ("selection, quarter of the area", select, None),
        (
            "analysis page (heat table, comparison)",
            get(f"/{consultation.slug}/map-analysis/"),
            cold,
        ),
    ]
    load = common.load_average()
    rows = []
    floor = None
    for name, call, before in cases:
        median, p95, timings = common.timed(call, args.runs, before=before)
        if before is not None:
            before()
        _, queries = common.with_query_count(call)
        floor = floor or median
        rows.append(
            f"| {name} | {median:.1f} | {p95:.1f} | {timings[0]:.1f} | {median / floor:.0f}× "
            f"| {queries} |"
        )
        print(rows[-1], flush=True)
    selected = select().json()
    counts = ", ".join(f"{k['count']:,} {k['kind']}" for k in selected["kinds"])
    ideas = Idea.objects.filter(consultation=consultation).count()
    load_after = common.load_average()
    header = [
        f"{common.stamp()} · {common.machine(memory=False)} · the `bench` consultation with "
        f"{ideas:,} ideas, {sizes['supports']:,} supports and {idea_comments:,} comments on ideas "
        f"· {args.runs} timed runs after 3 warm-up runs, through Django's test client as a "
        "planner. Seeded by `bench/map_analysis.py`.",
        "",
        "Heat cells are folded in SQL (one GROUP BY per request, whatever the number of rows); "
        '"cold" rows empty the cache before each run, the cached row does not. The selection '
        "reads the points in the selection's box (three numbers each) and tests them with "
        f"shapely; the quarter held {counts}. The page computes the overview's heat table and the "
        "comparison of every plan feature with every kind.",
        "",
        f"Load average before the run: {load}, after: {load_after} (1/5/15 min; the two cores "
        "are shared with other people's test suites, so read the ratio to the trivial GET of "
        "the same run rather than the figures alone).",
        "",
        "| request | median ms | p95 ms | fastest ms | × trivial GET | queries |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    print("\n".join(header))
    if args.write:
        common.replace_section(SECTION, "\n".join(header + rows))


if __name__ == "__main__":
    main()
