"""What the benchmark scripts share: the environment of the benchmark database, Django set-up,
their command line, timing helpers and writing a section of bench/RESULTS.md."""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/civic_bench"
BENCH_REDIS_URL = "redis://127.0.0.1:6379/14"
SECRET = "bench-only-" + "z" * 40
# The consultation page target in the issue is for 10,000 ideas.
SIZES = {"ideas": 10_000, "supports": 100_000, "comments": 20_000, "users": 2_000}


def bench_env() -> dict[str, str]:
    """Environment for the server and the scripts: our own database and Redis database."""
    return {
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", BENCH_DATABASE_URL),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", BENCH_REDIS_URL),
        "SECRET_KEY": SECRET,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": str(Path(tempfile.gettempdir()) / "civic_bench_static"),
        # The per-address write limits would stop a load generator on one address at once.
        "RATE_LIMIT_SUPPORT": "100000000/h",
        "RATE_LIMIT_COMMENT": "100000000/h",
        "DJANGO_SETTINGS_MODULE": "civic.settings",
    }


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        if not connection.execute(query, [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(*, with_redis: bool = False) -> None:
    """Django in this process against the benchmark database (migrated)."""
    env = bench_env()
    if not with_redis:
        env.pop("REDIS_URL")
    for key, value in env.items():
        os.environ.setdefault(key, value)
    start_django()


def setup_bench_urls_django(*, with_redis: bool = False) -> None:
    """`setup_django` for timing pages through the test client beside the trivial views of
    bench.urls: that URLconf, any host, static files without the manifest (which would need
    collectstatic and renders the same pages)."""
    os.environ["ROOT_URLCONF"] = "bench.urls"
    setup_django(with_redis=with_redis)
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"
    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def setup_test_client_django(database_url: str, *, migrate: bool = True) -> None:
    """Django in this process for a benchmark timed through the test client: the script's own
    database (DATABASE_URL overrides it) with the settings' defaults otherwise, and static files
    served without the manifest, which would need collectstatic and renders the same pages."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civic.settings")
    os.environ.setdefault("DATABASE_URL", database_url)
    os.environ.setdefault("SECRET_KEY", SECRET)
    start_django(migrate=migrate)
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def start_django(*, migrate: bool = True) -> None:
    """django.setup() with the environment as it is; with `migrate`, the database is created
    if missing and migrated first."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if migrate:
        ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def empty_caches() -> None:
    """Empty the cache and what this process remembers of it (civic.pagecache keeps the pages
    it found current for PAGE_CACHE_LOCAL_SECONDS, consultations.hub the anonymous sections of
    the consultation page), so the next request is built from scratch."""
    from django.core.cache import cache

    from civic import kept, pagecache
    from consultations import hub

    cache.clear()
    pagecache.forget_checked()
    hub.forget_kept_sections()
    kept.forget_kept_parts()


def seeded_consultation(sizes: dict[str, int] | None = None, *, seed: int = 42):
    """The `bench` consultation with `sizes`, seeded once (seed_bench) and reused afterwards."""
    from bench import generator
    from ideas.models import Idea

    sizes = sizes or SIZES
    consultation = generator.bench_consultation()
    have = Idea.objects.filter(consultation=consultation).count()
    if have < sizes["ideas"]:
        started = time.perf_counter()
        report = generator.seed(
            ideas=sizes["ideas"] - have,
            supports=sizes["supports"],
            comments=sizes["comments"],
            users=sizes["users"],
            seed=seed,
        )
        print(f"seeded in {time.perf_counter() - started:.1f} s: {report.summary()}", flush=True)
    return consultation


def benchmark_arguments(doc: str, *, runs: int) -> argparse.ArgumentParser:
    """The command line the in-process benchmarks share (bench/run.py passes --write and
    --runs); read it with `parse_benchmark_arguments`."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--runs", type=int, default=runs, help="timed runs of each request")
    parser.add_argument(
        "--write", action="store_true", help="replace this benchmark's section of RESULTS.md"
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="seed this share of the data the targets are set for, e.g. 0.02 for a quick check "
        "(figures at another scale are printed, never written)",
    )
    return parser


def parse_benchmark_arguments(parser: argparse.ArgumentParser, argv=None) -> argparse.Namespace:
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be above 0")
    # RESULTS.md holds the figures judged against the targets: those are for the full data.
    if args.write and args.scale != 1:
        parser.error("--write records full-size runs only; leave out --scale")
    return args


def scaled(count: int, scale: float) -> int:
    """`count` rows at `scale`, at least one."""
    return max(1, round(count * scale))


@contextmanager
def reporting_time(what: str):
    """Print how long the block took: "{what} in 1.2 s"."""
    started = time.perf_counter()
    yield
    print(f"{what} in {time.perf_counter() - started:.1f} s", flush=True)


def timed(call, runs: int, warmup: int = 3, *, before=None) -> tuple[float, float, list[float]]:
    """Median and p95 in milliseconds over `runs` calls after `warmup` untimed ones; `before`,
    when given, runs untimed ahead of each timed call (emptying a cache, say)."""
    for _ in range(warmup):
        call()
    timings = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), percentile(timings, 95), timings


def getting(client, url: str):
    """A call that GETs `url` with the test `client` and insists on a 200: timing an error page
    would measure nothing."""

    def call():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return call


def with_query_count(call):
    """Call once more, counting its queries: returns (its result, the number of queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result = call()
    return result, len(queries)


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[index]


def load_average() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


def machine(*, memory: bool = True) -> str:
    """Cores and architecture, the memory (unless left out), Python and the database."""
    gib = memory_gib() if memory else None
    size = f" · {gib:.0f} GiB" if gib is not None else ""
    return (
        f"{os.cpu_count()} cores ({platform.machine()}){size} · Python "
        f"{platform.python_version()} · PostgreSQL"
    )


def memory_gib() -> float | None:
    try:
        with open("/proc/meminfo") as info:
            return int(info.readline().split()[1]) / 1024 / 1024
    except OSError:
        return None


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def replace_section(title: str, body: str, *, first: bool = False) -> None:
    """Put `## title` with `body` into RESULTS.md, replacing that section only, so the other
    sections (each benchmark writes its own) stay as they are. A new section goes at the end,
    or right under the title with `first`."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section + "\n", text).rstrip() + "\n"
    elif first and "\n## " in text:
        head, _sep, rest = text.partition("\n## ")
        text = head.rstrip() + "\n\n" + section + "\n## " + rest
    else:
        text = text.rstrip() + "\n\n" + section
    RESULTS.write_text(text)


def previous_section(title: str) -> str:
    if not RESULTS.exists():
        return ""
    match = re.search(
        rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", RESULTS.read_text(), re.S | re.M
    )
    return match.group(1) if match else ""
