"""An installation that served one municipality moves into a first municipality built from its
settings: the back office's name and colour, every role held, every consultation, channel,
crisis stop and audit entry."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("civic", "0010_hash_existing_api_tokens"),
    ("consultations", "0006_map_survey"),
    ("social", "0008_inbox_hide_site_official"),
]
AFTER = [
    ("civic", "0012_municipality_scope"),
    ("consultations", "0007_consultation_municipality"),
    ("social", "0009_municipality_scope"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_one_municipality_moves_into_the_first_with_its_roles_and_data(settings):
    settings.MUNICIPALITY_SLUG = "harstad"
    settings.MUNICIPALITY_NAME = "Harstad kommune (from the environment)"
    settings.LANGUAGE_CODE = "nb"
    apps = _migrate(BEFORE)
    try:
        Settings = apps.get_model("civic", "MunicipalitySettings")
        User = apps.get_model("civic", "User")
        Consultation = apps.get_model("consultations", "Consultation")
        AuditEntry = apps.get_model("civic", "AuditEntry")
        Channel = apps.get_model("social", "Channel")
        Settings.objects.all().delete()
        Settings.objects.create(pk=1, name="Harstad kommune", brand_colour="#0b5394")
        planner = User.objects.create(
            username="p", email="planner@harstad.test", role="planner", limited_to_assigned=True
        )
        admin = User.objects.create(username="a", email="admin@harstad.test", role="administrator")
        resident = User.objects.create(username="r", email="resident@harstad.test")
        consultation = Consultation.objects.create(
            title="Sentrumstunnel", slug="sentrumstunnel", summary="Tunnel?"
        )
        AuditEntry.objects.create(action="consultation.publish", consultation_id=consultation.pk)
        Channel.objects.create(platform="mastodon", name="Harstad på Mastodon")

        apps = _migrate(AFTER)
        Municipality = apps.get_model("civic", "Municipality")
        Membership = apps.get_model("civic", "Membership")
        municipality = Municipality.objects.get()
        assert (municipality.slug, municipality.name, municipality.brand_colour) == (
            "harstad",
            "Harstad kommune",
            "#0b5394",
        )
        assert municipality.language == "nb"
        roles = {
            (m.user_id, m.role, m.limited_to_assigned)
            for m in Membership.objects.filter(municipality=municipality)
        }
        assert roles == {(planner.pk, "planner", True), (admin.pk, "administrator", False)}
        assert not Membership.objects.filter(user_id=resident.pk).exists()
        Consultation = apps.get_model("consultations", "Consultation")
        assert Consultation.objects.get().municipality_id == municipality.pk
        assert (
            apps.get_model("civic", "AuditEntry").objects.get().municipality_id == municipality.pk
        )
        assert apps.get_model("social", "Channel").objects.get().municipality_id == municipality.pk
    finally:
        _migrate(_latest())


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_an_installation_without_settings_gets_its_first_municipality_from_the_environment(
    settings,
):
    settings.MUNICIPALITY_SLUG = "bodo"
    settings.MUNICIPALITY_NAME = "Bodø kommune"
    apps = _migrate(BEFORE)
    try:
        apps.get_model("civic", "MunicipalitySettings").objects.all().delete()
        apps = _migrate(AFTER)
        municipality = apps.get_model("civic", "Municipality").objects.get()
        assert (municipality.slug, municipality.name) == ("bodo", "Bodø kommune")
    finally:
        _migrate(_latest())


@pytest.mark.django_db(transaction=True)
def test_municipalities_after_the_first_get_their_own_pseudonym_secret():
    apps = _migrate([("civic", "0015_municipality_languages")])
    try:
        Municipality = apps.get_model("civic", "Municipality")
        first = Municipality.objects.order_by("pk").first()
        Municipality.objects.create(slug="harstad", name="Harstad kommune")
        Municipality.objects.create(slug="tromso", name="Tromsø kommune")
        apps = _migrate([("civic", "0016_municipality_pseudonym_key")])
        keys = dict(
            apps.get_model("civic", "Municipality").objects.values_list("slug", "pseudonym_key")
        )
        # The first keeps showing the pseudonyms it has published; the others derive their own.
        assert keys[first.slug] == ""
        assert keys["harstad"] and keys["tromso"] and keys["harstad"] != keys["tromso"]
    finally:
        _migrate(_latest())
