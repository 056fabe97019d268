"""Benchmark: the ideas map with 100,000 ideas in one consultation, on PostgreSQL.

    .venv/bin/python bench/maps_feeds.py [--runs 30] [--write]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/civic_maps_bench.

Creates the database if needed, migrates, seeds 100,000 ideas once (bench/seed.py, fixed seed)
and times, through Django's test client (the whole request: URL routing, middleware, queries,
JSON), the clustered feed for the whole area, a bbox feed holding about 2,000 ideas, and the
consultation page. Prints median and p95 over repeated runs with the query count of each, and
with --write appends them to bench/RESULTS.md. Targets: 100 ms, 150 ms, 200 ms.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civic.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/civic_maps_bench")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)

IDEAS = 100_000
SLUG = "bench-christiansholm"
AREA = {
    "type": "Polygon",
    "coordinates": [
        [
            [12.5925, 55.6780],
            [12.5995, 55.6780],
            [12.5995, 55.6815],
            [12.5925, 55.6815],
            [12.5925, 55.6780],
        ]
    ],
}


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def setup():
    import django

    ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # The manifest storage needs collectstatic; plain storage renders the same pages.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    call_command("migrate", verbosity=0)


def consultation_with_ideas():
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from bench.seed import seed_ideas
    from consultations.models import Category, Consultation, Phase
    from ideas.models import Idea

    consultation, created = Consultation.objects.get_or_create(
        slug=SLUG,
        defaults={
            "title": "Christiansholm (benchmark)",
            "summary": "100,000 ideas on one small island.",
            "status": Consultation.Status.PUBLISHED,
            "area": AREA,
            "reference_prefix": "BEN",
        },
    )
    if created:
        now = timezone.now()
        Phase.objects.create(
            consultation=consultation,
            kind=Phase.Kind.IDEAS,
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=365),
            allows_ideas=True,
            allows_support=True,
        )
        for position, (name, colour) in enumerate(
            [("Bathing", "#0a7f5a"), ("Culture", "#8e44ad"), ("Traffic", "#c0392b")]
        ):
            Category.objects.create(
                consultation=consultation, name=name, colour=colour, position=position
            )
    existing = Idea.objects.filter(consultation=consultation).count()
    if existing < IDEAS:
        started = time.perf_counter()
        seed_ideas(consultation, IDEAS - existing, seed=42)
        print(f"seeded {IDEAS - existing} ideas in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE ideas_idea")
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
    """The map's share of the consultation page: rendering maps/_consultation_map.html."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    def render():
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        fresh = type(consultation).objects.get(pk=consultation.pk)
        context = {"consultation": fresh, "user": request.user}
        return render_to_string("maps/_consultation_map.html", context, request=request)

    for _ in range(3):
        render()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        render()
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        html = render()
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
    name = "map partial of the consultation page (incl. loading the consultation)"
    return (
        f"| {name} | {len(html) // 1024} KiB HTML | {statistics.median(timings):.1f} | "
        f"{p95:.1f} | {len(queries)} | < 200 | "
        f"{'yes' if statistics.median(timings) < 200 else 'NO'} |"
    )


def measure(client, url: str, runs: int, *, cold: bool = False) -> dict:
    """Time `url`; with cold=True the cache is emptied before every request."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(runs):
        if cold:
            cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
    return {
        "median": statistics.median(timings),
        "p95": p95,
        "queries": len(queries),
        "bytes": len(response.content),
        "response": response,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--write", action="store_true", help="append the figures to RESULTS.md")
    args = parser.parse_args()
    setup()
    import json

    from django.test import Client

    from ideas.models import Idea

    consultation = consultation_with_ideas()
    refresh_statistics()
    public = Idea.objects.published().filter(consultation=consultation).count()
    # A box a seventh of the area's width and height holds about 2 % of it: ~2,000 ideas.
    west, south = 12.5950, 55.6790
    bbox = f"{west},{south},{west + 0.007 / 7:.6f},{south + 0.0035 / 7:.6f}"
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
        ("consultation page", f"/{SLUG}/", 200, True),
    ]
    rows = []
    load = os.getloadavg()
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
        "",
        "## Maps",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} cores "
        f"({platform.processor() or platform.machine()}) · Python {platform.python_version()} · "
        f"PostgreSQL · {IDEAS:,} ideas in one consultation ({public:,} public, the rest hidden) · "
        f"{args.runs} timed runs after 3 warm-up runs, through Django's test client "
        "(routing, middleware, queries and serialisation; no network).",
        "",
        f"Load average before the run: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1/5/15 min; "
        "other work shares the machine, so p95 carries its noise). Target judged on the median.",
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
        "hidden) turns the grid query into an index-only scan. The "
        "consultation page row is the whole hub page, most of whose queries come from the "
        "other sections (idea list with its daily-shuffled order and count, key figures, "
        "debate); the map partial row is the map's own share of it.",
    ]
    if args.write:
        write_results("\n".join(header + rows + notes) + "\n")


def write_results(section: str) -> None:
    """Replace the Maps section of RESULTS.md (or add it), leaving other sections alone."""
    results = ROOT / "bench" / "RESULTS.md"
    text = results.read_text() if results.exists() else "# Benchmark results\n"
    start = text.find("\n## Maps\n")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + (text[end:] if end >= 0 else "\n")
    results.write_text(text.rstrip("\n") + "\n" + section)


if __name__ == "__main__":
    main()
