"""Requests are routed to a municipality by host name, once per worker, and everything the
request does follows it: pages, roles, language, branding and cache keys."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from civic import branding, tenancy
from civic.models import Municipality, MunicipalityHost, Role
from tests import factories
from tests.tenancy_helpers import FIRST_HOST, SECOND_HOST, first_municipality, inside


@pytest.fixture
def two(harstad):
    """Christiansholm in Copenhagen, Sentrumstunnel in Harstad, both open."""
    copenhagen = first_municipality()
    with inside(copenhagen):
        christiansholm = factories.ConsultationFactory(
            title="Christiansholm", slug="christiansholm", open_phase=True
        )
    with inside(harstad):
        tunnel = factories.ConsultationFactory(
            title="Sentrumstunnel", slug="sentrumstunnel", open_phase=True
        )
    return copenhagen, harstad, christiansholm, tunnel


def test_each_host_shows_its_own_municipality(two):
    copenhagen, harstad, christiansholm, tunnel = two
    at_harstad = Client(HTTP_HOST=SECOND_HOST).get("/").content.decode()
    at_copenhagen = Client(HTTP_HOST=FIRST_HOST).get("/").content.decode()
    assert "Harstad kommune" in at_harstad and "Sentrumstunnel" in at_harstad
    assert "Christiansholm" not in at_harstad and "Københavns Kommune" not in at_harstad
    assert "Christiansholm" in at_copenhagen and "Sentrumstunnel" not in at_copenhagen


def test_another_municipalitys_address_is_not_found(two):
    _copenhagen, _harstad, christiansholm, tunnel = two
    assert Client(HTTP_HOST=SECOND_HOST).get("/christiansholm/").status_code == 404
    assert Client(HTTP_HOST=SECOND_HOST).get("/sentrumstunnel/").status_code == 200
    assert Client(HTTP_HOST=FIRST_HOST).get("/sentrumstunnel/").status_code == 404


def test_the_same_address_may_exist_in_both(two):
    copenhagen, harstad, _christiansholm, _tunnel = two
    with inside(copenhagen):
        factories.ConsultationFactory(title="Budget i København", slug="budget")
    with inside(harstad):
        factories.ConsultationFactory(title="Budsjett i Harstad", slug="budget")
    assert "Budsjett i Harstad" in Client(HTTP_HOST=SECOND_HOST).get("/budget/").content.decode()
    assert "Budget i København" in Client(HTTP_HOST=FIRST_HOST).get("/budget/").content.decode()


def test_a_host_of_no_municipality_is_not_found_once_there_are_two(two, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "elsewhere.test"]
    response = Client(HTTP_HOST="elsewhere.test").get("/")
    assert response.status_code == 404
    assert "No municipality is served at this address" in response.content.decode()
    assert Client(HTTP_HOST="elsewhere.test").get("/healthz").status_code == 200


def test_development_hosts_need_no_dns(two, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".localhost"]
    page = Client(HTTP_HOST="harstad.localhost:8000").get("/").content.decode()
    assert "Harstad kommune" in page and "Sentrumstunnel" in page


def test_a_host_with_one_municipality_is_served_at_any_address(db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "anything.test"]
    assert Client(HTTP_HOST="anything.test").get("/").status_code == 200


def test_roles_are_held_per_municipality(two):
    copenhagen, harstad, christiansholm, tunnel = two
    with inside(harstad):
        planner = factories.PlannerFactory()
    with inside(copenhagen):
        assert planner.role == Role.RESIDENT and not planner.is_planner
    planner.forget_held()
    with inside(harstad):
        assert planner.role == Role.PLANNER and planner.is_planner
    client = Client(HTTP_HOST=SECOND_HOST)
    client.force_login(planner)
    assert client.get(f"/{tunnel.slug}/edit/").status_code == 200
    client = Client(HTTP_HOST=FIRST_HOST)
    client.force_login(planner)
    assert client.get(f"/{christiansholm.slug}/edit/").status_code == 403


def test_the_municipalitys_language_when_the_browser_asks_for_none_of_ours(two):
    page = Client(HTTP_HOST=SECOND_HOST, HTTP_ACCEPT_LANGUAGE="de").get("/")
    assert 'lang="nb"' in page.content.decode()
    page = Client(HTTP_HOST=SECOND_HOST, HTTP_ACCEPT_LANGUAGE="en").get("/")
    assert 'lang="en"' in page.content.decode()


def test_the_page_cache_keeps_each_municipalitys_pages_apart(two, settings):
    """The same address at two hosts: two pages, never one served for the other."""
    copenhagen, harstad, _christiansholm, _tunnel = two
    for _ in range(2):  # built, then from the cache
        harstad_page = Client(HTTP_HOST=SECOND_HOST).get("/").content.decode()
        copenhagen_page = Client(HTTP_HOST=FIRST_HOST).get("/").content.decode()
        assert "Sentrumstunnel" in harstad_page and "Christiansholm" not in harstad_page
        assert "Christiansholm" in copenhagen_page and "Sentrumstunnel" not in copenhagen_page


def test_routing_costs_no_query_on_a_warm_worker(two):
    client = Client(HTTP_HOST=SECOND_HOST)
    client.get("/healthz")
    client.get("/sentrumstunnel/")
    with CaptureQueriesContext(connection) as queries:
        tenancy.for_host(SECOND_HOST)
        assert branding.effective().name
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        client.get("/sentrumstunnel/")  # from the page cache
    assert not any("civic_municipality" in query["sql"] for query in queries)


def test_a_new_host_is_served_once_saved(two, settings):
    _copenhagen, harstad, _christiansholm, _tunnel = two
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "deltag.harstad.test"]
    assert Client(HTTP_HOST="deltag.harstad.test").get("/").status_code == 404
    MunicipalityHost.objects.create(host="Deltag.Harstad.test.", municipality=harstad)
    tenancy.forget()
    assert "Harstad kommune" in Client(HTTP_HOST="deltag.harstad.test").get("/").content.decode()


def test_an_inactive_municipality_is_not_served(two):
    _copenhagen, harstad, _christiansholm, _tunnel = two
    Municipality.objects.filter(pk=harstad.pk).update(is_active=False)
    tenancy.forget()
    assert Client(HTTP_HOST=SECOND_HOST).get("/").status_code == 404


def test_the_api_schema_says_it_answers_per_host(db):
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "One API per municipality" in schema


def test_a_municipality_offers_its_own_languages(two):
    """Harstad offers Norwegian and English: a Danish browser reads Norwegian there, and the
    switch lists only what is offered."""
    _copenhagen, harstad, _christiansholm, _tunnel = two
    Municipality.objects.filter(pk=harstad.pk).update(languages="nb, en")
    tenancy.forget()
    page = Client(HTTP_HOST=SECOND_HOST, HTTP_ACCEPT_LANGUAGE="da").get("/").content.decode()
    assert 'lang="nb"' in page
    assert 'value="da"' not in page and 'value="en"' in page
    english = Client(HTTP_HOST=SECOND_HOST, HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert 'lang="en"' in english
    danish = Client(HTTP_HOST=FIRST_HOST, HTTP_ACCEPT_LANGUAGE="da").get("/").content.decode()
    assert 'lang="da"' in danish


def test_the_offered_languages_are_checked_in_the_back_office(two):
    _copenhagen, harstad, _christiansholm, _tunnel = two
    with inside(harstad):
        administrator = factories.AdministratorFactory()
    client = Client(HTTP_HOST=SECOND_HOST, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(administrator)
    response = client.post("/staff/settings/", {"languages": "nb, sv", "language": "nb"})
    assert (
        response.status_code == 400
        and "Not a language of this site: sv" in response.content.decode()
    )
    response = client.post("/staff/settings/", {"languages": "nb", "language": "en"})
    assert response.status_code == 400
    assert "The default language must be one of the languages offered" in response.content.decode()
    response = client.post("/staff/settings/", {"languages": "EN, nb", "language": "nb"})
    assert response.status_code == 302
    assert Municipality.objects.get(pk=harstad.pk).languages == "nb, en"


def test_a_table_kept_by_code_of_another_shape_is_not_used(two):
    """During an upgrade, old workers keep the table without the fields new code reads."""
    from django.core.cache import cache

    version = cache.get(tenancy.VERSION_KEY, 0)
    stale = tenancy._read_table()
    stale[0][0].__dict__["name"] = "Stale copy"
    cache.set(tenancy.TABLE_KEY.format(shape="older-code", version=version), stale)
    tenancy.forget_local()
    assert "Stale copy" not in {m.name for m in tenancy.table().by_id.values()}


def test_every_worker_reads_the_municipalities_again_after_a_migration(two):
    from django.apps import apps
    from django.core.cache import cache

    from civic.apps import municipalities_read_again

    before = cache.get(tenancy.VERSION_KEY, 0)
    municipalities_read_again(sender=apps.get_app_config("ideas"))
    assert cache.get(tenancy.VERSION_KEY, 0) == before  # once per migrate, for civic
    municipalities_read_again(sender=apps.get_app_config("civic"))
    assert cache.get(tenancy.VERSION_KEY, 0) != before
