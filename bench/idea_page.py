"""CPU of idea pages built on a cache miss, beside the trivial GET, in-process.

    .venv/bin/python bench/idea_page.py [--trivial 300] [--ideas 400]

Django's test client with ROOT_URLCONF=bench.urls and the Redis cache, the page cache off (each
request builds its idea page; the worker's kept parts stay, as on a running site), random
published ideas of the `bench` consultation (10,000; seeded once by seed_bench's generator).
CPU per request from time.process_time, so another process on the machine moves the figures
less than wall time; prints the medians and their ratio. RESULTS.md's "Idea page: map assets
kept" rows come from alternate runs of this script in two checkouts.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import seeded_consultation, setup_bench_urls_django  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trivial", type=int, default=300)
    parser.add_argument("--ideas", type=int, default=400)
    args = parser.parse_args(argv)
    setup_bench_urls_django(with_redis=True)
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from ideas.models import Idea

    settings.PAGE_CACHE_SECONDS = 0
    consultation = seeded_consultation()
    references = list(
        Idea.objects.filter(consultation=consultation)
        .published()
        .values_list("reference", flat=True)
    )
    rng = random.Random(11)
    client = Client()

    def idea_url() -> str:
        return f"/ideas/{rng.choice(references)}/"

    def cpu_ms(url, runs: int) -> float:
        spent = []
        for _ in range(runs):
            started = time.process_time()
            response = client.get(url())
            spent.append((time.process_time() - started) * 1000)
            assert response.status_code == 200
        return statistics.median(spent)

    trivial_url = reverse("bench-trivial")
    cpu_ms(idea_url, 50)  # the worker's first requests: templates, kept parts, statements
    trivial = cpu_ms(lambda: trivial_url, args.trivial)
    idea = cpu_ms(idea_url, args.ideas)
    print(
        f"trivial GET {trivial:.2f} ms CPU, idea page built {idea:.2f} ms CPU "
        f"({idea / trivial:.1f} x the trivial GET)"
    )


if __name__ == "__main__":
    main()
