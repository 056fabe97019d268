"""Benchmark: the reports of a consultation with 10,000 ideas, 100,000 supports and 50,000
comments, on PostgreSQL.

    .venv/bin/python bench/reports_summary.py [--runs 10] [--write]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/civic_reports_bench.

Creates the database if needed, migrates, seeds the data once with bulk_create (ideas through
bench/seed.py, fixed seeds) and measures:
- the live summary page for a councillor through Django's test client (median and p95 of
  --runs, with its query count); target < 500 ms;
- the full XLSX export (all four sheets) in a fresh process: wall time and the process's
  peak resident memory (getrusage; tracemalloc would slow the export several times over);
  targets < 20 s and < 300 MB;
- the PDF briefing in a fresh process; target < 30 s.
With --write the figures replace the "Reports" section of bench/RESULTS.md.
"""

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civic.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/civic_reports_bench")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)

IDEAS = 10_000
SUPPORTS = 100_000
COMMENTS = 50_000
PEOPLE = 2_500
SLUG = "bench-reports"
NOTES = (
    "Notes: the first summary row sets REPORTS_SUMMARY_CACHE_SECONDS=0, so every request c"
    "ounts the 100,000 supports and 50,000 comments again (21 queries: the totals are the "
    "sums of the per-day counts, so the big tables are read once each); the second is what"
    " readers get within 60 s of each other. The map on the page is the maps app's cached "
    "PNG above 1,500 pins. Exports run the full variant (hidden items marked) with rows st"
    "reamed in chunks of 2,000 into a write-only workbook; the process's peak resident mem"
    "ory is reached while Django and its libraries load, and the export does not raise it."
    " Other sessions' benchmarks and tests ran on the same 2 cores at the time (see the lo"
    "ad average)."
)
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


def setup(migrate: bool = True):
    import django

    if migrate:
        ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = Path("/tmp/civic-reports-bench-media")  # noqa: S108
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def seed():
    """The consultation and its data, made once; later runs reuse them."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.seed import seed_ideas
    from civic.models import User
    from consultations.models import Category, Consultation, Phase, PollOption, Topic
    from debate.models import Comment, PollAnswer
    from ideas.models import Idea, Support

    consultation, created = Consultation.objects.get_or_create(
        slug=SLUG,
        defaults={
            "title": "Christiansholm (reports benchmark)",
            "summary": "10,000 ideas, 100,000 supports, 50,000 comments.",
            "status": Consultation.Status.PUBLISHED,
            "area": AREA,
            "reference_prefix": "REP",
            "language": "da",
        },
    )
    if not created and Comment.objects.filter(consultation=consultation).count() >= COMMENTS:
        return consultation
    started = time.perf_counter()
    rng = random.Random(7)
    now = timezone.now()
    with transaction.atomic():
        Phase.objects.create(
            consultation=consultation,
            kind=Phase.Kind.IDEAS,
            starts_at=now - timedelta(days=30),
            ends_at=now + timedelta(days=30),
            allows_ideas=True,
            allows_support=True,
            allows_comments=True,
            allows_poll=True,
        )
        for position, (name, colour) in enumerate(
            [("Bathing", "#0a7f5a"), ("Culture", "#8e44ad"), ("Traffic", "#c0392b")]
        ):
            Category.objects.create(
                consultation=consultation, name=name, colour=colour, position=position
            )
    seed_ideas(consultation, IDEAS, seed=11)
    with transaction.atomic():
        people = User.objects.bulk_create(
            [
                User(
                    username=f"bench-reports-{n}",
                    email=f"bench-reports-{n}@example.org",
                    display_name=f"Bench person {n}",
                    pseudonym_code=f"R{n:05d}",
                    show_name_publicly=n % 3 == 0,
                )
                for n in range(PEOPLE)
            ],
            batch_size=2_000,
        )
        idea_ids = list(Idea.objects.filter(consultation=consultation).values_list("id", flat=True))
        per_person = SUPPORTS // PEOPLE
        supports = []
        for person in people:
            for idea_id in rng.sample(idea_ids, per_person):
                supports.append(
                    Support(
                        idea_id=idea_id,
                        user=person,
                        consultation=consultation,
                        created_at=now - timedelta(minutes=rng.randint(0, 40_000)),
                    )
                )
        Support.objects.bulk_create(supports, batch_size=10_000)
        # support_count kept as the service would: equal to the Support rows.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE ideas_idea SET support_count = (SELECT COUNT(*) FROM ideas_support s "
                "WHERE s.idea_id = ideas_idea.id) WHERE consultation_id = %s",
                [consultation.pk],
            )
        topics = [
            Topic.objects.create(
                consultation=consultation,
                title=f"Topic {n}",
                poll_question=f"Question {n}?",
                position=n,
            )
            for n in range(3)
        ]
        options = {
            topic.pk: [
                PollOption.objects.create(topic=topic, label=label, position=i)
                for i, label in enumerate(("Yes", "No", "Unsure"))
            ]
            for topic in topics
        }
        answers = [
            PollAnswer(topic=topic, option=rng.choice(options[topic.pk]), user=person)
            for topic in topics
            for person in people[:1500]
        ]
        PollAnswer.objects.bulk_create(answers, batch_size=5_000)
        roots = []
        for n in range(COMMENTS // 2):
            on_topic = n % 2 == 0
            roots.append(
                Comment(
                    consultation=consultation,
                    topic=topics[n % 3] if on_topic else None,
                    idea_id=None if on_topic else rng.choice(idea_ids),
                    author=rng.choice(people),
                    body=f"Argument {n}: " + "words " * rng.randint(5, 40),
                    stance=rng.choice(["for", "against", "neutral"]) if on_topic else "",
                    upvotes=rng.randint(0, 20),
                    score=rng.random(),
                    is_hidden=rng.random() < 0.01,
                )
            )
        roots = Comment.objects.bulk_create(roots, batch_size=5_000)
        replies = []
        for n in range(COMMENTS - len(roots)):
            parent = rng.choice(roots)
            replies.append(
                Comment(
                    consultation=consultation,
                    topic_id=parent.topic_id,
                    idea_id=parent.idea_id,
                    parent=parent,
                    root=parent,
                    depth=1,
                    author=rng.choice(people),
                    body=f"Reply {n}: " + "words " * rng.randint(3, 30),
                )
            )
        Comment.objects.bulk_create(replies, batch_size=5_000)
        spread = [(now - timedelta(minutes=rng.randint(0, 40_000))) for _ in range(50)]
        with connection.cursor() as cursor:
            for index, moment in enumerate(spread):
                cursor.execute(
                    "UPDATE debate_comment SET created_at = %s "
                    "WHERE consultation_id = %s AND id %% 50 = %s",
                    [moment, consultation.pk, index],
                )
            cursor.execute("ANALYZE")
    print(f"seeded in {time.perf_counter() - started:.1f} s")
    return consultation


def measure_summary(consultation, runs: int, cache_seconds: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from civic.models import Role, User

    councillor, _ = User.objects.get_or_create(
        username="bench-councillor",
        defaults={"email": "bench-councillor@example.org", "role": Role.COUNCILLOR},
    )
    from django.conf import settings
    from django.core.cache import cache

    settings.REPORTS_SUMMARY_CACHE_SECONDS = cache_seconds
    cache.clear()
    client = Client()
    client.force_login(councillor)
    url = f"/reports/c/{consultation.slug}/"
    for _ in range(2):
        assert client.get(url).status_code == 200
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        size = len(client.get(url).content)
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, int(len(timings) * 0.95) - 1)],
        "queries": len(queries),
        "kib": size // 1024,
    }


def measure_export(name: str) -> dict:
    """Run in a fresh process: one export, timed, with its memory peaks."""
    setup(migrate=False)
    from consultations.models import Consultation
    from reports.exports import ExportContext
    from reports.formats import FORMATS

    consultation = Consultation.objects.get(slug=SLUG)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    path = f"/tmp/civic-reports-bench-{name}"  # noqa: S108
    started = time.perf_counter()
    FORMATS[name].build(ExportContext(consultation=consultation, variant="full"), path)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_mb": before / 1024,
        "bytes": os.path.getsize(path),
    }


def export_in_subprocess(name: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--export", name],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--export", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export:
        print(json.dumps(measure_export(args.export)))
        return
    setup()
    from debate.models import Comment
    from ideas.models import Idea, Support

    consultation = seed()
    counts = (
        Idea.objects.filter(consultation=consultation).count(),
        Support.objects.filter(consultation=consultation).count(),
        Comment.objects.filter(consultation=consultation).count(),
    )
    summary = measure_summary(consultation, args.runs, 0)
    cached = measure_summary(consultation, args.runs, 60)
    xlsx = export_in_subprocess("data.xlsx")
    pdf = export_in_subprocess("summary.pdf")
    load = os.getloadavg()
    xlsx_met = xlsx["seconds"] < 20 and xlsx["rss_peak_mb"] < 300
    rows = [
        f"| summary page (councillor), computed every time | {summary['kib']} KiB HTML, "
        f"{summary['queries']} queries "
        f"| median {summary['median_ms']:.0f} ms, p95 {summary['p95_ms']:.0f} ms "
        f"| < 500 ms | {'yes' if summary['median_ms'] < 500 else 'NO'} |",
        f"| summary page (councillor), as served (summary cached 60 s) | {cached['kib']} KiB "
        f"HTML, {cached['queries']} queries "
        f"| median {cached['median_ms']:.0f} ms, p95 {cached['p95_ms']:.0f} ms "
        f"| < 500 ms | {'yes' if cached['median_ms'] < 500 else 'NO'} |",
        f"| XLSX export, full (4 sheets) | {xlsx['bytes'] / 1e6:.1f} MB file "
        f"| {xlsx['seconds']:.1f} s; process peak RSS {xlsx['rss_peak_mb']:.0f} MB "
        f"(of which {xlsx['rss_before_mb']:.0f} MB before the export) "
        f"| < 20 s, < 300 MB | {'yes' if xlsx_met else 'NO'} |",
        f"| PDF briefing | {pdf['bytes'] / 1e3:.0f} kB file | {pdf['seconds']:.1f} s, "
        f"process peak RSS {pdf['rss_peak_mb']:.0f} MB | < 30 s | "
        f"{'yes' if pdf['seconds'] < 30 else 'NO'} |",
    ]
    section = "\n".join(
        [
            "## Reports",
            "",
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} cores "
            f"({platform.machine()}) · Python {platform.python_version()} · PostgreSQL · "
            f"{counts[0]:,} ideas, {counts[1]:,} supports, {counts[2]:,} comments, 4,500 poll "
            f"answers in one consultation · `bench/reports_summary.py`.",
            "",
            f"Summary page: {args.runs} timed runs after 2 warm-up runs through Django's test "
            "client. Exports: each in a fresh process, so the peak resident memory is the "
            "export's own (plus Django's start-up). Load average before the run: "
            f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}.",
            "",
            "| measured | size | result | target | met |",
            "| --- | --- | --- | --- | --- |",
            *rows,
            "",
            NOTES,
            "",
        ]
    )
    print(section)
    if args.write:
        write_results(section)


def write_results(section: str) -> None:
    """Replace the Reports section of RESULTS.md (or add it), leaving other sections alone."""
    results = ROOT / "bench" / "RESULTS.md"
    text = results.read_text() if results.exists() else "# Benchmark results\n"
    start = text.find("\n## Reports\n")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + (text[end:] if end >= 0 else "\n")
    results.write_text(text.rstrip("\n") + "\n\n" + section)


if __name__ == "__main__":
    main()
