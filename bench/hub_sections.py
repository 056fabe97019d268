"""Where the consultation page built from scratch spends its time, section by section.

    .venv/bin/python bench/hub_sections.py [--runs 13]

The `bench` consultation (seeded once by seed_bench's generator) through Django's test client
with the Redis cache; before each request every cache is emptied (bench.common.empty_caches),
as for "built from scratch" in bench/reading.py. Each section the apps register on the hub
(consultations.hub) is timed as it renders, and each SQL statement is timed and charged to the
section that sent it; prints medians per section (the first three requests are not counted).
RESULTS.md's "Stored key figures" per-section table comes from this script.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402 - the path above makes bench importable
    empty_caches,
    seeded_consultation,
    setup_bench_urls_django,
)

WARMUP = 3


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=13)
    args = parser.parse_args(argv)
    setup_bench_urls_django(with_redis=True)
    from django.db import connection
    from django.test import Client

    from consultations import hub

    consultation = seeded_consultation()
    url = consultation.get_absolute_url()
    client = Client()
    render_ms: dict[str, list[float]] = defaultdict(list)
    sql_ms: dict[str, list[float]] = defaultdict(list)
    current = ["page"]

    def charged(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_ms[current[0]].append((time.perf_counter() - started) * 1000)

    def timed(section):
        def render(request, consultation):
            current[0] = section.name
            started = time.perf_counter()
            try:
                return section.render(request, consultation)
            finally:
                render_ms[section.name].append((time.perf_counter() - started) * 1000)
                current[0] = "page"

        return hub.Section(section.slot, section.name, render)

    original = list(hub._sections)
    hub._sections[:] = [timed(section) for section in original]
    try:
        with connection.execute_wrapper(charged):
            for _ in range(args.runs + WARMUP):
                empty_caches()
                started = time.perf_counter()
                assert client.get(url).status_code == 200
                render_ms["whole page"].append((time.perf_counter() - started) * 1000)
    finally:
        hub._sections[:] = original
    total_runs = args.runs + WARMUP
    print("| section | median ms | SQL ms per build | statements per build |")
    print("| --- | --- | --- | --- |")
    for name, timings in render_ms.items():
        statements = sql_ms.get(name, []) if name != "whole page" else []
        print(
            f"| {name} | {statistics.median(timings[WARMUP:]):.1f} "
            f"| {sum(statements) / total_runs:.1f} | {len(statements) / total_runs:.1f} |"
        )
    outside = sql_ms.get("page", [])
    print(
        f"| statements outside the sections | - | {sum(outside) / total_runs:.1f} "
        f"| {len(outside) / total_runs:.1f} |"
    )


if __name__ == "__main__":
    main()
