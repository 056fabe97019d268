"""Benchmark: a plan layer with 100,000 vertices through its map feed, on PostgreSQL.

    .venv/bin/python bench/plan_layers.py [--runs 20] [--write] [--scale 0.1]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/civic_plan_bench. Uploads (through
consultations.services.plan_layer_upload, as a planner's file would be read, checked and stored)
a GeoJSON layer of 50 zoning areas with 2,000 vertices each, then times through Django's test
client the layer's GeoJSON feed at a low zoom (10, the whole town), at 14 and 15, and at a high
zoom (17, a street; from 16 on the feed serves the stored geometry, see maps.gis),
each with the cache emptied before every request and as served (cached by the layer's
version), next to the trivial GET (bench/urls.py) as the floor. With --write
replaces the "Plan layers" section of bench/RESULTS.md. Target: 200 ms per request.
"""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common  # noqa: E402 - the path above makes bench importable

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/civic_plan_bench"
SLUG = "bench-plan"
AREAS = 50
VERTICES = 2000  # per area: 50 x 2,000 = 100,000
TARGET_MS = 200


def zoning_file(folder: Path, areas: int, vertices: int) -> Path:
    """Ragged zoning areas around Harstad: circles with a seeded wobble, so simplification has
    real work to do (a perfect circle would give it none)."""
    import json
    import math
    import random

    rng = random.Random(42)
    features = []
    for index in range(areas):
        lon0 = 16.50 + (index % 10) * 0.008
        lat0 = 68.78 + (index // 10) * 0.004
        ring = []
        for step in range(vertices - 1):
            angle = 2 * math.pi * step / (vertices - 1)
            radius = 0.0015 * (1 + 0.08 * rng.random())
            ring.append([lon0 + 2.8 * radius * math.cos(angle), lat0 + radius * math.sin(angle)])
        ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "properties": {"name": f"Felt {index + 1}"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    path = folder / "zoning.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def main(argv=None):
    args = common.parse_benchmark_arguments(common.benchmark_arguments(__doc__, runs=20), argv)
    areas = max(1, common.scaled(AREAS, args.scale))
    common.setup_test_client_django(DATABASE_URL)
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.test.utils import override_settings

    from bench.seed import seed_consultation
    from civic.models import Role, User
    from consultations import services
    from consultations.models import Consultation, Phase

    consultation, _created = seed_consultation(
        SLUG,
        {
            "title": "Plan layers (benchmark)",
            "summary": "One zoning layer of 100,000 vertices.",
            "status": Consultation.Status.PUBLISHED,
            "reference_prefix": "PLN",
        },
        phase={"kind": Phase.Kind.IDEAS, "allows_ideas": True},
        categories=[],
    )
    planner, _new = User.objects.get_or_create(
        username="bench-planner@example.org",
        defaults={"email": "bench-planner@example.org", "role": Role.PLANNER},
    )
    consultation.plan_layers.all().delete()
    with tempfile.TemporaryDirectory() as folder:
        path = zoning_file(Path(folder), areas, VERTICES)
        size = path.stat().st_size
        started = time.perf_counter()
        layer = services.plan_layer_upload(
            actor=planner,
            consultation=consultation,
            upload=SimpleUploadedFile(path.name, path.read_bytes()),
            data={"name": "Zoning", "colour": "#1a4f8b"},
        )
        upload_ms = (time.perf_counter() - started) * 1000
    print(f"upload: {layer.vertex_count:,} vertices, {size / 1e6:.1f} MB, {upload_ms:.0f} ms")

    client = Client()
    feed = f"/api/v1/consultations/{SLUG}/plan-layers/{layer.pk}.geojson"
    load = common.load_average()
    rows = []
    results = {}
    with override_settings(ROOT_URLCONF="bench.urls"):
        trivial = measure(client, "/bench/trivial", args.runs)
        results["trivial"] = trivial
        cases = [
            ("feed, low zoom (10), cache emptied", f"{feed}?zoom=10", True),
            ("feed, low zoom (10), as served (cached by version)", f"{feed}?zoom=10", False),
            ("feed, zoom 14, cache emptied", f"{feed}?zoom=14", True),
            ("feed, zoom 15 (the last simplified level), cache emptied", f"{feed}?zoom=15", True),
            ("feed, high zoom (17), as stored, cache emptied", f"{feed}?zoom=17", True),
            ("feed, high zoom (17), as served (cached by version)", f"{feed}?zoom=17", False),
        ]
        for name, url, cold in cases:
            result = measure(client, url, args.runs, cold=cold)
            vertices = count_vertices(result["response"].content)
            ratio = result["median"] / trivial["median"]
            ok = "yes" if result["median"] < TARGET_MS else "NO"
            rows.append(
                f"| {name} | {vertices:,} vertices, {result['bytes'] / 1e6:.2f} MB | "
                f"{result['median']:.1f} | {result['p95']:.1f} | {result['queries']} | "
                f"{ratio:.0f}x | < {TARGET_MS} | {ok} |"
            )
            print(rows[-1])
    trivial_row = (
        f"| trivial GET (bench/urls.py), the floor | {trivial['bytes']} bytes | "
        f"{trivial['median']:.2f} | {trivial['p95']:.2f} | {trivial['queries']} | 1x | - | - |"
    )
    print(trivial_row)
    header = [
        f"{common.stamp()} · {common.machine(memory=False)} · one layer of {areas} zoning areas "
        f"x {VERTICES:,} vertices = {layer.vertex_count:,} vertices ({size / 1e6:.1f} MB of "
        f"GeoJSON), uploaded through plan_layer_upload in {upload_ms:,.0f} ms (read with "
        "pyogrio, checked with shapely, stored as feature rows and their simplified shapes) · "
        f"{args.runs} timed runs after 3 warm-up runs, through Django's test client "
        "(routing, middleware, queries, simplification and JSON; no network).",
        "",
        f"Load average before the run: {load} (1/5/15 min). Target judged on the median; the "
        "ratio is the median over the trivial GET's median in the same process.",
        "",
        "| request | answer | median ms | p95 ms | queries | x trivial | target ms | met |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        trivial_row,
    ]
    notes = [
        "",
        "Notes: each feature is simplified for zooms 6 to 15 when the layer is uploaded "
        "(maps.gis.simplified_levels: Douglas-Peucker at half a screen pixel, corrected for "
        "latitude, and topology-preserving simplification again for the shapes that became "
        "invalid or empty), which is most of the upload time above; from zoom 16 on the "
        'stored geometry is served. "Cache emptied" empties the cache before every request, '
        "so each one reads that level's rows in one query and joins their GeoJSON text; \"as "
        "served\" is what every later visitor gets, the bytes cached under the layer's version "
        "(a style change or a new upload moves it on, so no copy is ever stale). The map asks "
        "for the zoom it shows, rounded, once per zoom level. The test layer is deliberately "
        "ragged (each vertex jitters by up to 8 % of the radius), so little simplifies away "
        "at street zooms; real plan outlines lose far more.",
    ]
    if args.write and args.scale == 1:
        common.replace_section("Plan layers", "\n".join(header + rows + notes))
    del settings  # only imported to make sure settings are configured before the client


def measure(client, url: str, runs: int, *, cold: bool = False) -> dict:
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


def count_vertices(content: bytes) -> int:
    import json

    import shapely

    collection = json.loads(content)
    return int(
        sum(
            shapely.get_num_coordinates(shapely.geometry.shape(f["geometry"]))
            for f in collection["features"]
        )
    )


if __name__ == "__main__":
    main()
