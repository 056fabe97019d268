"""Harstad's plan on the map: the two tunnel alternatives with their portals and the zoning area
of the new centre, uploaded as the planner would, from a GeoPackage in EUREF89 UTM 33N
(EPSG:25833) built here, so the demo shows reprojection to WGS 84."""

import tempfile
from pathlib import Path

import shapely
from django.core.files.uploadedfile import SimpleUploadedFile
from pyproj import Transformer

from consultations import services
from consultations.models import Consultation
from devsite.demo.municipalities import inside
from maps import gpkg

TO_UTM33 = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True)

# (longitude, latitude); written to the file in UTM 33N metres.
ROUTE_A = [(16.5300, 68.7966), (16.5380, 68.7990), (16.5440, 68.8010), (16.5530, 68.8048)]
ROUTE_B = [(16.5300, 68.7966), (16.5350, 68.7958), (16.5470, 68.7975), (16.5530, 68.8048)]
PORTALS = [("Sørportal", (16.5300, 68.7966)), ("Nordportal", (16.5530, 68.8048))]
ZONE = [(16.5385, 68.7995), (16.5465, 68.7995), (16.5465, 68.8025), (16.5385, 68.8025)]


def _utm(points):
    xs, ys = TO_UTM33.transform([p[0] for p in points], [p[1] for p in points])
    return list(zip(xs, ys, strict=True))


def _write(path: Path, tables) -> None:
    for index, (name, rows) in enumerate(tables):
        gpkg.add_table(str(path), name, ["name"], rows, append=bool(index), crs="EPSG:25833")


def load(stdout, users):
    with inside("harstad"):
        _load(stdout, users)


def _load(stdout, users):
    consultation = Consultation.objects.get(slug="harstad-sentrumstunnel")
    planner = users["planner2"]
    consultation.plan_layers.all().delete()  # idempotent: the demo's layers are made anew
    with tempfile.TemporaryDirectory() as folder:
        tunnel = Path(folder) / "sentrumstunnel.gpkg"
        _write(
            tunnel,
            [
                (
                    "traseer",
                    [
                        (shapely.LineString(_utm(ROUTE_A)), ("Alternativ A: under Storgata",)),
                        (shapely.LineString(_utm(ROUTE_B)), ("Alternativ B: langs sjøen",)),
                    ],
                ),
                ("portaler", [(shapely.Point(_utm([p])[0]), (n,)) for n, p in PORTALS]),
            ],
        )
        zone = Path(folder) / "regulering.gpkg"
        _write(
            zone,
            [("omrade", [(shapely.Polygon(_utm(ZONE)), ("Sentrumsformål, ny bydel",))])],
        )
        for path, data in (
            (
                zone,
                {
                    "name": "Reguleringsområde",
                    "legend": "Område regulert til sentrumsformål",
                    "colour": "#2f5d1e",
                    "fill_colour": "#5b9a3c",
                    "fill_opacity": 25,
                    "dash": "dashed",
                },
            ),
            (
                tunnel,
                {
                    "name": "Tunnelalternativer",
                    "legend": "Trasé A og B med portaler",
                    "colour": "#8b1a1a",
                    "fill_colour": "#b3261e",
                    "line_width": 4,
                },
            ),
        ):
            services.plan_layer_upload(
                actor=planner,
                consultation=consultation,
                upload=SimpleUploadedFile(path.name, path.read_bytes()),
                data=data,
            )
    stdout.write("  plan layers: Harstad's tunnel alternatives and zoning area (from UTM 33N)")
