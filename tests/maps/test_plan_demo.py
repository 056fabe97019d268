"""The Harstad demo's plan: tunnel alternatives with portals and a zoning area, read from a
GeoPackage in EUREF89 UTM 33N and shown in WGS 84 inside the consultation's area."""

import io
import json

import pytest
import shapely
from django.core.management import call_command

from consultations.models import Consultation, PlanFeature
from devsite.demo.consultations import HARSTAD_AREA

pytestmark = pytest.mark.django_db


def test_demo_loads_harstad_plan_layers_once():
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    harstad = Consultation.objects.get(slug="harstad-sentrumstunnel")
    layers = list(harstad.plan_layers.all())
    assert [(layer.name, layer.source_crs) for layer in layers] == [
        ("Reguleringsområde", "EPSG:25833"),
        ("Tunnelalternativer", "EPSG:25833"),
    ]
    kinds = sorted(layers[1].features.values_list("kind", flat=True))
    assert kinds == ["line", "line", "point", "point"]
    area = shapely.geometry.shape(HARSTAD_AREA)
    for feature in PlanFeature.objects.filter(layer__consultation=harstad):
        assert area.covers(shapely.from_geojson(feature.geometry)), feature.name
    north = harstad.plan_layers.get(name="Tunnelalternativer").features.get(name="Nordportal")
    lon, lat = json.loads(north.geometry)["coordinates"]
    assert (round(lon, 5), round(lat, 5)) == (16.553, 68.8048)
