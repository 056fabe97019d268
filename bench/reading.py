"""The reading path in-process, each figure beside the trivial GET of the same run.

    .venv/bin/python bench/reading.py [--runs 40] [--redis-down]

Uses the `bench` consultation (10,000 ideas, 100,000 supports, 20,000 comments; seeded once
by seed_bench's generator) through Django's test client with ROOT_URLCONF=bench.urls, so the
trivial view (bench.urls) runs through the same middleware as the pages; every figure is
printed with its ratio to that view's median (the machine is shared, ratios hold better than
milliseconds). Cases: the consultation page from the page cache, built (page cache off), and
built from scratch (every cache emptied first); idea pages built (a different idea each time);
the comment API's first page of the biggest topic and a page of its biggest thread's replies;
the map feed over the whole area at zoom 14 and 19, cached and not. With --redis-down the
cache is a Redis that refuses every connection (what a site sees while Redis is stopped).
Prints a Markdown table; RESULTS.md's "Reading path" section is written from its runs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402 - the path above makes bench importable
    empty_caches,
    load_average,
    seeded_consultation,
    setup_bench_urls_django,
)


def timed(call, runs: int, *, before=None, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        if before:
            before()
        call()
    out = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return sorted(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--redis-down", action="store_true")
    parser.add_argument("--redis", action="store_true", help="the bench Redis as the cache")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="time only the cases whose name holds this text (repeatable; the trivial GET always)",
    )
    parser.add_argument(
        "--debate",
        action="store_true",
        help="also the 20,000-comment topic of bench/debate_topic.py (seeded here once)",
    )
    args = parser.parse_args(argv)
    if args.redis_down:
        os.environ["BENCH_REDIS_URL"] = "redis://127.0.0.1:1/0"
    setup_bench_urls_django(with_redis=args.redis or args.redis_down)
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from consultations.models import Topic
    from debate.models import Comment
    from ideas.models import Idea

    consultation = seeded_consultation()
    slug = consultation.slug
    references = list(
        Idea.objects.filter(consultation=consultation)
        .published()
        .values_list("reference", flat=True)
    )
    rng = random.Random(7)
    topic = Topic.objects.filter(consultation=consultation).order_by("-comment_count").first()
    if args.debate:
        from bench import debate_topic

        topic, _viewer = debate_topic.seeded_topic(debate_topic.PER_DEPTH, debate_topic.PEOPLE)
    from django.db.models import Count

    thread = (
        Comment.objects.filter(topic=topic, parent__isnull=False)
        .values("parent_id")
        .annotate(n=Count("*"))
        .order_by("-n")
        .first()
    )
    client = Client()

    def get(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return call

    def page_cache_off(call):
        def wrapped():
            saved = settings.PAGE_CACHE_SECONDS
            settings.PAGE_CACHE_SECONDS = 0
            try:
                return call()
            finally:
                settings.PAGE_CACHE_SECONDS = saved

        return wrapped

    def random_idea():
        return client.get(f"/ideas/{rng.choice(references)}/")

    def idea_built():
        response = page_cache_off(random_idea)()
        assert response.status_code == 200
        return response

    cases = [
        ("trivial GET (bench.urls)", get("/bench/trivial"), None),
        ("consultation page, from the page cache", get(f"/{slug}/"), None),
        ("consultation page, built (page cache off)", page_cache_off(get(f"/{slug}/")), None),
        (
            "consultation page, built from scratch (every cache emptied)",
            page_cache_off(get(f"/{slug}/")),
            empty_caches,
        ),
        ("idea page, built (page cache off, a random idea of 10,000)", idea_built, None),
        (
            f"comment API, first page, topic of {topic.comment_count} comments",
            get(f"/api/v1/topics/{topic.pk}/comments/"),
            None,
        ),
    ]
    if thread:
        cases.append(
            (
                f"comment API, replies of one comment ({thread['n']} replies), first page",
                get(f"/api/v1/comments/{thread['parent_id']}/replies/"),
                None,
            )
        )
    feed = f"/api/v1/consultations/{slug}/ideas.geojson"
    cases += [
        ("map feed, whole area, zoom 14, cached", get(f"{feed}?zoom=14"), None),
        ("map feed, whole area, zoom 19, cached", get(f"{feed}?zoom=19"), None),
        ("map feed, whole area, zoom 19, uncached", get(f"{feed}?zoom=19"), empty_caches),
    ]
    if args.only:
        cases = [
            case
            for index, case in enumerate(cases)
            if index == 0 or any(text in case[0] for text in args.only)
        ]
    print(f"load average before: {load_average()}", flush=True)
    rows = []
    trivial = None
    for name, call, before in cases:
        if before is None:
            empty_caches()
        timings = timed(call, args.runs, before=before)
        median = statistics.median(timings)
        if before:
            before()
        with CaptureQueriesContext(connection) as queries:
            response = call()
        size = len(response.content)
        if trivial is None:
            trivial = median
        rows.append((name, median, timings[int(0.95 * (len(timings) - 1))], len(queries), size))
        print(
            f"{name}: median {median:.2f} ms ({trivial / median:.0%} of trivial), "
            f"{len(queries)} queries, {size / 1024:.1f} KiB",
            flush=True,
        )
    print(f"load average after: {load_average()}")
    print()
    print("| request | median ms | p95 ms | queries | KiB | trivial / this |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, median, p95, queries, size in rows:
        print(
            f"| {name} | {median:.2f} | {p95:.2f} | {queries} | {size / 1024:.1f} | "
            f"{trivial / median:.0%} |"
        )


if __name__ == "__main__":
    main()
