"""Upgrading keeps the tile addresses planners gave as {z}/{x}/{y} services: the stored code
"wmts" named them before WMTS capabilities were read, and becomes "xyz"."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("consultations", "0004_plan_layers")]
AFTER = [("consultations", "0005_map_service_wmts")]


@pytest.fixture
def _back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_back_to_the_latest_schema")
def test_tile_addresses_become_xyz():
    from tests import factories

    consultation_pk = factories.ConsultationFactory().pk
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("consultations", "MapService")
    tiles = old.objects.create(
        consultation_id=consultation_pk,
        name="Tiles",
        protocol="wmts",
        url="https://tiles.example.org/{z}/{x}/{y}.png",
        attribution="K",
    ).pk
    wms = old.objects.create(
        consultation_id=consultation_pk,
        name="Plan",
        protocol="wms",
        url="https://wms.example.org/wms",
        layers="plan",
        attribution="K",
    ).pk

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("consultations", "MapService")
    assert new.objects.get(pk=tiles).protocol == "xyz"
    assert new.objects.get(pk=wms).protocol == "wms"
    assert new.objects.get(pk=tiles).tile_matrices == {}
