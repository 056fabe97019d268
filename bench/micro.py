"""Micro benchmarks of the hot paths, each with its query count, on PostgreSQL.

    .venv/bin/python bench/micro.py [--runs 20] [--write]

Uses the `bench` consultation of the database civic_bench (seeded once by seed_bench's
generator: 10,000 ideas, 100,000 supports, 20,000 comments on three topics) and times through
Django's test client (routing, middleware, session, queries, templates; no network) after
warm-up runs: the consultation page, the idea list, the map feed clustered over the whole area
and for a box of about 2,000 ideas, the biggest topic's page, the reports summary page, and the
CSV and XLSX exports built in-process. Prints median and p95 with the query count; with --write
replaces the "Micro" section of bench/RESULTS.md. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402 - the path above makes bench importable
    commit,
    empty_caches,
    load_average,
    machine,
    replace_section,
    seeded_consultation,
    setup_django,
    stamp,
    timed,
)


def count_queries(call) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def bbox_with(consultation, wanted: int) -> str:
    """A box around the area's centre grown until it holds about `wanted` public ideas."""
    from ideas.models import Idea

    ideas = Idea.objects.filter(consultation=consultation).published()
    west, south, east, north = 12.5925, 55.6780, 12.5995, 55.6815
    cx, cy = (west + east) / 2, (south + north) / 2
    low, high = 0.0, 1.0
    for _ in range(20):
        share = (low + high) / 2
        box = (
            cx - share * (east - west) / 2,
            cy - share * (north - south) / 2,
            cx + share * (east - west) / 2,
            cy + share * (north - south) / 2,
        )
        inside = ideas.filter(
            longitude__gte=box[0], latitude__gte=box[1], longitude__lte=box[2], latitude__lte=box[3]
        ).count()
        if abs(inside - wanted) < wanted * 0.02:
            break
        low, high = (share, high) if inside < wanted else (low, share)
    return ",".join(f"{v:.6f}" for v in box), inside


def cases(consultation):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from consultations.models import Topic

    User = get_user_model()
    councillor, _ = User.objects.get_or_create(
        email="councillor@bench.invalid",
        defaults={"username": "councillor@bench.invalid", "role": "councillor"},
    )
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(councillor)
    slug = consultation.slug
    topic = Topic.objects.filter(consultation=consultation).order_by("-comment_count").first()
    bbox, in_box = bbox_with(consultation, 2_000)
    from ideas.models import Idea

    idea_url = Idea.objects.filter(consultation=consultation).published().first().get_absolute_url()

    def get(client, url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return call

    def uncached(call):
        """The same request with the cache emptied first: what a cold or expired cache costs."""

        def wrapped():
            empty_caches()
            return call()

        return wrapped

    def built(call):
        """With the anonymous page cache off: what building the page costs, as signed-in
        visitors and the first visitor after a change see it."""
        from django.conf import settings

        def wrapped():
            saved = settings.PAGE_CACHE_SECONDS
            settings.PAGE_CACHE_SECONDS = 0
            try:
                return call()
            finally:
                settings.PAGE_CACHE_SECONDS = saved

        return wrapped

    def export(name):
        from reports.exports import ExportContext
        from reports.formats import build_bytes

        def call():
            build_bytes(ExportContext(consultation=consultation, variant="public"), name)

        return call

    from bench import generator
    from ideas.models import Idea

    writer_id = generator.seed_users(1, seed=42, prefix="micro-writer")[0]
    token = generator.user_tokens([writer_id])[writer_id]
    from ideas.models import Support

    Support.objects.filter(user_id=writer_id).delete()
    generator.recount(consultation)
    idea_ids = iter(
        Idea.objects.filter(consultation=consultation).published().values_list("pk", flat=True)
    )
    api = Client(HTTP_AUTHORIZATION=f"Token {token}")

    def support():
        response = api.post(f"/api/v1/ideas/{next(idea_ids)}/support/")
        assert response.status_code == 201, response.status_code

    def comment():
        response = api.post(
            f"/api/v1/topics/{topic.pk}/comments/",
            {"body": "Micro benchmark comment about the harbour.", "stance": "for"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.status_code

    found = [
        ("support POST (API, token)", support, 50),
        ("comment POST (API, token)", comment, 50),
        ("consultation page (anonymous), built", built(get(anonymous, f"/{slug}/")), 200),
        ("consultation page (anonymous), from the page cache", get(anonymous, f"/{slug}/"), 200),
        ("idea list, first page, built", built(get(anonymous, f"/ideas/c/{slug}/")), None),
        ("idea page (anonymous), built", built(get(anonymous, idea_url)), None),
        (
            "map feed, whole area, clustered (zoom 14), uncached",
            uncached(get(anonymous, f"/api/v1/consultations/{slug}/ideas.geojson?zoom=14")),
            100,
        ),
        (
            "map feed, whole area, clustered (zoom 14), cached",
            get(anonymous, f"/api/v1/consultations/{slug}/ideas.geojson?zoom=14"),
            100,
        ),
        (
            f"map feed, bbox with {in_box} ideas (zoom 19)",
            get(anonymous, f"/api/v1/consultations/{slug}/ideas.geojson?bbox={bbox}&zoom=19"),
            150,
        ),
        (
            f"topic page, {topic.comment_count} comments, first page",
            get(signed_in, topic.get_absolute_url()),
            150,
        ),
        (
            "reports summary page (councillor), uncached",
            uncached(get(signed_in, f"/reports/c/{slug}/")),
            500,
        ),
        ("export ideas.csv (in-process)", export("ideas.csv"), None),
        ("export data.xlsx (in-process)", export("data.xlsx"), 20_000),
    ]
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="time only the cases whose name holds this text (repeatable; never written)",
    )
    args = parser.parse_args(argv)
    if args.write and args.only:
        parser.error("--write records every case; leave out --only")
    setup_django()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    consultation = seeded_consultation()
    rows = []
    for name, call, target in cases(consultation):
        if args.only and not any(text in name for text in args.only):
            continue
        runs = max(3, args.runs // 5) if name.startswith("export") else args.runs
        load = load_average()
        median, p95, _ = timed(call, runs, warmup=1 if name.startswith("export") else 3)
        # Counted after the warm-up, as the timed runs were made.
        queries = count_queries(call)
        met = "" if target is None else ("yes" if median < target else "NO")
        rows.append((name, median, p95, queries, runs, target, met, load))
        print(f"{name}: median {median:.1f} ms, p95 {p95:.1f} ms, {queries} queries", flush=True)
    if args.write:
        lines = [
            f"{stamp()} · commit {commit()} · {machine()} · the `bench` consultation: "
            "10,000 ideas, 100,000 supports, 20,000 comments on 3 topics (depth 0-6) "
            "(`manage.py seed_bench`, seed 42). Through Django's test client after warm-up; "
            "exports built in-process (reports.formats.build_bytes). Target judged on the "
            "median; targets from the maps, debate and reports issues.",
            "",
            "| request | median ms | p95 ms | queries | runs | target ms | met | load avg |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, median, p95, queries, runs, target, met, load in rows:
            lines.append(
                f"| {name} | {median:.1f} | {p95:.1f} | {queries} | {runs} | "
                f"{'< ' + str(target) if target else '-'} | {met or '-'} | {load} |"
            )
        replace_section("Micro benchmarks", "\n".join(lines))
    return rows


if __name__ == "__main__":
    main()
