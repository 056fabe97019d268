"""Benchmark: the ideas map with 100,000 ideas in one consultation, on PostgreSQL.

    .venv/bin/python bench/maps_feeds.py [--runs 30] [--write] [--scale 0.02]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/civic_maps_bench; --scale seeds that
share of the ideas for a quick check (such figures are never written).

Creates the database if needed, migrates, seeds 100,000 ideas once (bench/seed.py, fixed seed)
and times, through Django's test client (the whole request: URL routing, middleware, queries,
JSON), the clustered feed for the whole area, a bbox feed holding about 2,000 ideas, and the
consultation page. Prints median and p95 over repeated runs with the query count of each; with
--write replaces the "Maps" section of bench/RESULTS.md. Targets: 100 ms, 150 ms, 200 ms.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common  # noqa: E402 - the path above makes bench importable

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/civic_maps_bench"
IDEAS = 100_000
SLUG = "bench-christiansholm"


def consultation_with_ideas(ideas: int):
    from bench.seed import AREA, CATEGORIES, analyze, seed_consultation, seed_ideas
    from consultations.models import Consultation, Phase
    from ideas.models import Idea

    consultation, _created = seed_consultation(
        SLUG,
        {
            "title": "Christiansholm (benchmark)",
            "summary": "100,000 ideas on one small island.",
            "status": Consultation.Status.PUBLISHED,
            "area": AREA,
            "reference_prefix": "BEN",
        },
        phase={"kind": Phase.Kind.IDEAS, "allows_ideas": True, "allows_support": True},
        categories=CATEGORIES,
    )
    existing = Idea.objects.filter(consultation=consultation).count()
    if existing < ideas:
        with common.reporting_time(f"seeded {ideas - existing} ideas"):
            seed_ideas(consultation, ideas - existing, seed=42)
        analyze("ideas_idea")
    return consultation


def refresh_statistics() -> None:
    """VACUUM sets the visibility map that the feed's index-only scans need; it cannot run in a
    transaction."""
    from django.db import connection

    connection.ensure_connection()
    autocommit = connection.get_autocommit()
    connection.set_autocommit(True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE ideas_idea")
    connection.set_autocommit(autocommit)


def partial_row(consultation, runs: int) -> str:
    """The map's share of the consultation page: rendering ideas/_consultation_map.html."""
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    def render():
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        fresh = type(consultation).objects.get(pk=consultation.pk)
        context = {"consultation": fresh, "user": request.user}
        return render_to_string("ideas/_consultation_map.html", context, request=request)

    median, p95, _ = common.timed(render, runs)
    html, queries = common.with_query_count(render)
    name = "map partial of the consultation page (incl. loading the consultation)"
    return (
        f"| {name} | {len(html) // 1024} KiB HTML | {median:.1f} | {p95:.1f} | {queries} | "
        f"< 200 | {'yes' if median < 200 else 'NO'} |"
    )


def measure(client, url: str, runs: int, *, cold: bool = False) -> dict:
    """Time `url`; with cold=True the cache is emptied before every request."""
    get = common.getting(client, url)
    median, p95, _ = common.timed(get, runs, before=common.empty_caches if cold else None)
    if cold:
        common.empty_caches()
    response, queries = common.with_query_count(get)
    return {
        "median": median,
        "p95": p95,
        "queries": queries,
        "bytes": len(response.content),
        "response": response,
    }


def main(argv=None):
    args = common.parse_benchmark_arguments(common.benchmark_arguments(__doc__, runs=30), argv)
    ideas = common.scaled(IDEAS, args.scale)
    common.setup_test_client_django(DATABASE_URL)
    import json

    from django.test import Client

    from bench.seed import EAST, NORTH, SOUTH, WEST
    from ideas.models import Idea

    consultation = consultation_with_ideas(ideas)
    refresh_statistics()
    public = Idea.objects.published().filter(consultation=consultation).count()
    # A box a seventh of the area's width and height holds about 2 % of it: ~2,000 ideas.
    west, south = 12.5950, 55.6790
    bbox = f"{west},{south},{west + (EAST - WEST) / 7:.6f},{south + (NORTH - SOUTH) / 7:.6f}"
    client = Client()
    whole_area = f"/api/v1/consultations/{SLUG}/ideas.geojson?zoom=14"
    cases = [
        ("clustered feed, whole area (zoom 14), uncached", whole_area, 100, True),
        ("clustered feed, whole area (zoom 14), cached", whole_area, 100, False),
        (
            "bbox feed, single pins (zoom 19)",
            f"/api/v1/consultations/{SLUG}/ideas.geojson?bbox={bbox}&zoom=19",
            150,
            True,
        ),
        ("consultation page, built (cache emptied before each request)", f"/{SLUG}/", 200, True),
        ("consultation page, anonymous, as served (page cache)", f"/{SLUG}/", 200, False),
    ]
    rows = []
    load = common.load_average()
    for name, url, target, cold in cases:
        result = measure(client, url, args.runs, cold=cold)
        detail = ""
        if "geojson" in url:
            data = json.loads(result["response"].content)
            kind = "clusters" if data["clustered"] else "ideas"
            detail = f"{len(data['features'])} {kind} for {data['total']} ideas"
        else:
            detail = f"{result['bytes'] // 1024} KiB HTML"
        ok = "yes" if result["median"] < target else "NO"
        rows.append(
            f"| {name} | {detail} | {result['median']:.1f} | {result['p95']:.1f} | "
            f"{result['queries']} | < {target} | {ok} |"
        )
        print(rows[-1])
    rows.append(partial_row(consultation, args.runs))
    print(rows[-1])
    header = [
        f"{common.stamp()} · {common.machine(memory=False)} · {ideas:,} ideas in one consultation "
        f"({public:,} public, the rest hidden) · {args.runs} timed runs after 3 warm-up runs, "
        "through Django's test client (routing, middleware, queries and serialisation; no "
        "network).",
        "",
        f"Load average before the run: {load} (1/5/15 min; other work shares the machine, so "
        "p95 carries its noise). Target judged on the median.",
        "",
        "| request | answer | median ms | p95 ms | queries | target ms | met |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    notes = [
        "",
        "Notes: the uncached cluster row empties the cache before every request (the grid "
        "query folds all public ideas each time); the cached row is what visitors get within "
        "MAP_CLUSTER_CACHE_SECONDS (30 s) of each other. The partial "
        "index idea_public_lonlat (consultation, longitude, latitude WHERE published and not "
        "hidden) turns the grid query into an index-only scan; idea_public_ids (consultation, id "
        "INCLUDE support_count, same condition) does that for the hub's daily shuffle and key "
        "figures. The "
        "consultation page rows are the whole hub page, most of whose queries come from the "
        "other sections (idea list with its daily-shuffled order and count, key figures, "
        "debate): built with every cache emptied, and as anonymous visitors get it from the "
        "page cache (civic.pagecache) until something on it changes; the map partial row is "
        "the map's own share of it.",
    ]
    if args.write:
        common.replace_section("Maps", "\n".join(header + rows + notes))


if __name__ == "__main__":
    main()
