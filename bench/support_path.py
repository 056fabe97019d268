"""The support path in-process: worker CPU and wall time per support, queries, a profile.

    .venv/bin/python bench/support_path.py [--runs 300] [--profile [--sort tottime]] [--redis]

Supports ideas of the `bench` consultation through Django's test client with an API token
(routing, middleware, DRF authentication, the service; no network), as the support storm's
residents do, and compares them with the trivial POST of bench.urls in the same process. Prints
CPU (time.process_time) and wall time per request, the queries of one support and, with
--profile, the functions that took the most time (cProfile). With --redis the cache is Redis
(BENCH_REDIS_URL), as the load test's server runs; without, Django's local-memory cache.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import load_average, seeded_consultation, setup_django  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--redis", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="the profile's order (tottime, ...)")
    args = parser.parse_args(argv)
    import os

    os.environ.setdefault("ROOT_URLCONF", "bench.urls")
    setup_django(with_redis=args.redis)
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    settings.ROOT_URLCONF = "bench.urls"
    from bench import generator
    from ideas.models import Idea, Support

    consultation = seeded_consultation()
    writers = generator.seed_users(4, seed=7, prefix="support-path")
    tokens = generator.user_tokens(writers)
    Support.objects.filter(user_id__in=writers).delete()
    generator.recount(consultation)
    ids = list(
        Idea.objects.filter(consultation=consultation).published().values_list("pk", flat=True)
    )
    clients = [Client(HTTP_AUTHORIZATION=f"Token {tokens[w]}") for w in writers]
    pairs = iter([(c, i) for c in clients for i in ids])

    def support():
        client, idea = next(pairs)
        response = client.post(f"/api/v1/ideas/{idea}/support/")
        assert response.status_code == 201, (response.status_code, response.content[:300])

    trivial_client = Client(HTTP_AUTHORIZATION="Token x")

    def trivial():
        response = trivial_client.post("/bench/trivial")
        assert response.status_code == 201

    api_clients = iter(clients * (args.runs + 40))

    def trivial_api():
        response = next(api_clients).post("/bench/trivial-api")
        assert response.status_code == 201, (response.status_code, response.content[:300])

    def measure(call, runs):
        for _ in range(20):
            call()
        cpu, wall = [], []
        for _ in range(runs):
            c0, w0 = time.process_time(), time.perf_counter()
            call()
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        return statistics.mean(cpu), statistics.median(wall)

    load = load_average()
    cpus = {}
    for name, call in (
        ("trivial POST", trivial),
        ("trivial API POST (DRF, token)", trivial_api),
        ("support POST", support),
    ):
        cpu, wall = measure(call, args.runs)
        cpus[name] = cpu
        print(f"{name}: {cpu:.2f} ms CPU (mean), {wall:.2f} ms wall (median)", flush=True)
    floor = cpus["trivial API POST (DRF, token)"]
    print(
        f"support / trivial POST: {cpus['support POST'] / cpus['trivial POST']:.1f} x; "
        f"support / trivial API POST: {cpus['support POST'] / floor:.1f} x; "
        f"the support's own CPU beyond the API floor: {cpus['support POST'] - floor:.2f} ms"
    )
    with CaptureQueriesContext(connection) as queries:
        support()
    print(f"support queries: {len(queries)}")
    for query in queries:
        print("   ", query["sql"][:160])
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(200):
            support()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(45)
        print(out.getvalue())
    print(f"load average before: {load}")
    Support.objects.filter(user_id__in=writers).delete()
    generator.recount(consultation)


if __name__ == "__main__":
    main()
