"""Back office: the municipality's settings, with the environment's values where a field is left
blank, read through one cached function (civic.branding.effective)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from civic import branding, legal, services, tenancy
from civic.models import AuditEntry, Municipality
from tests import factories
from tests.ideas.factories import image_file

pytestmark = pytest.mark.django_db

SETTINGS = reverse("backoffice:settings")


def _post(client, **fields):
    data = {
        "name": "",
        "brand_colour": "",
        "map_center_lat": "",
        "map_center_lon": "",
        "map_zoom": "",
        "tile_url": "",
        "tile_attribution": "",
        **fields,
    }
    return client.post(SETTINGS, data)


def _unchanged() -> bool:
    """The municipality still has what the migration gave it: nothing was saved."""
    row = Municipality.objects.get()
    return (row.name, row.brand_colour, bool(row.logo)) == ("Københavns Kommune", "", False)


def test_blank_fields_follow_the_environment(settings):
    settings.MUNICIPALITY_NAME = "Env Kommune"
    Municipality.objects.update(name="", brand_colour="#224466")
    branding.forget()
    brand = branding.effective()
    assert (brand.name, brand.colour) == ("Env Kommune", "#224466")


def test_a_saved_name_and_colour_are_on_every_page_and_audited(client, administrator):
    client.force_login(administrator)
    response = _post(client, name="Harbourtown", brand_colour="#1A4D2E")
    assert response.status_code == 302
    page = Client().get("/").content.decode()
    assert "Harbourtown" in page and "--brand: #1a4d2e" in page
    entry = AuditEntry.objects.get(action="site.settings_change")
    assert entry.actor == administrator
    assert entry.changes["name"] == ["Københavns Kommune", "Harbourtown"]
    assert "Harbourtown" in legal.page_for("privacy", "en").body


def test_colours_white_text_cannot_be_read_on_are_refused(client, administrator):
    client.force_login(administrator)
    response = _post(client, brand_colour="#ffcc00")
    assert response.status_code == 400
    page = response.content.decode()
    assert "White text on #ffcc00 has a contrast of only" in page and "4.5:1" in page
    response = _post(client, brand_colour="blue")
    assert response.status_code == 400
    assert "six hexadecimal digits" in response.content.decode()
    assert _unchanged()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://tiles.example/{z}/{x}/{y}.png", "https://"),
        ("https://tiles.example/{z}/{x}.png", "{y}"),
        ("javascript:alert(1)//{z}/{x}/{y}", "https://"),
        ('https://tiles.example/{z}/{x}/{y}.png"onerror=', "characters"),
    ],
)
def test_tile_addresses_are_checked(client, administrator, url, reason):
    client.force_login(administrator)
    response = _post(client, tile_url=url, tile_attribution="© Example")
    assert response.status_code == 400
    assert reason in response.content.decode()


def test_map_defaults_are_checked(client, administrator):
    client.force_login(administrator)
    page = _post(client, map_center_lat="95", map_center_lon="12", map_zoom="30").content.decode()
    assert "Give a latitude from -90 to 90." in page and "Give a zoom from 3 to 19." in page
    page = _post(client, map_center_lat="55.6").content.decode()
    assert "Give both the latitude and the longitude" in page
    page = _post(client, tile_url="https://t.example/{z}/{x}/{y}.png").content.decode()
    assert "Say who made the map" in page
    assert _post(client, map_center_lat="nan", map_center_lon="inf").status_code == 400


def test_the_map_and_the_security_policy_follow_the_tile_server(client, administrator):
    client.force_login(administrator)
    response = _post(
        client,
        tile_url="https://kort.kommune.example/{z}/{x}/{y}.png",
        tile_attribution="© Kommunen",
        map_center_lat="69.2",
        map_center_lon="17.6",
        map_zoom="12",
    )
    assert response.status_code == 302
    idea = factories.IdeaFactory()
    response = Client().get(idea.get_absolute_url())
    page = response.content.decode()
    config = page[page.find("map-config") :][:400]
    assert "https://kort.kommune.example/{z}/{x}/{y}.png" in config, config
    assert "\\u00a9 Kommunen" in config
    assert "[69.2, 17.6]" in page
    img_src = response["Content-Security-Policy"].split("img-src", 1)[1].split(";", 1)[0]
    assert "https://kort.kommune.example" in img_src
    assert "kort.kommune.example" in legal.page_for("privacy", "en").body


def test_an_idea_page_seen_before_the_map_changed_shows_the_new_map(
    client, administrator, django_capture_on_commit_callbacks
):
    idea = factories.IdeaFactory()

    def config() -> str:
        page = Client().get(idea.get_absolute_url()).content.decode()
        return page[page.find("map-config") :][:400]

    assert "kort.kommune.example" not in config()  # the map's part is now kept by this worker
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            tile_url="https://kort.kommune.example/{z}/{x}/{y}.png",
            tile_attribution="© Kommunen",
        )
    assert response.status_code == 302
    assert "https://kort.kommune.example/{z}/{x}/{y}.png" in config()


def test_a_logo_is_stored_without_its_metadata(client, administrator):
    client.force_login(administrator)
    upload = image_file("logo.jpg", with_gps=True)
    data = {"name": "", "brand_colour": "", "tile_url": "", "tile_attribution": "", "logo": upload}
    assert client.post(SETTINGS, data).status_code == 302
    row = Municipality.objects.get()
    with Image.open(row.logo) as image:
        assert not image.getexif()
    page = Client().get("/").content.decode()
    assert f'src="{row.logo.url}"' in page
    data = {
        "clear_logo": "on",
        "name": "",
        "brand_colour": "",
        "tile_url": "",
        "tile_attribution": "",
    }
    assert client.post(SETTINGS, data).status_code == 302
    assert not Municipality.objects.get().logo


def test_a_file_that_is_no_picture_is_refused(client, administrator):
    client.force_login(administrator)
    upload = SimpleUploadedFile("logo.png", b"not a picture", content_type="image/png")
    response = client.post(SETTINGS, {"logo": upload})
    assert response.status_code == 400
    assert "image" in response.content.decode().lower()


@pytest.mark.parametrize("role", ["resident", "planner", "councillor"])
def test_only_administrators_change_the_settings(client, role):
    client.force_login(factories.UserFactory(role=role))
    assert client.get(SETTINGS).status_code == 403
    assert _post(client, name="Mine").status_code == 403
    assert _unchanged()


def test_a_warm_cache_costs_no_query(administrator):
    services.municipality_settings_save(actor=administrator, values={"name": "Harbourtown"})
    assert branding.effective().name == "Harbourtown"
    branding.forget_local()  # another worker: reads the shared cache
    with CaptureQueriesContext(connection) as queries:
        assert branding.effective().name == "Harbourtown"
        assert branding.effective().name == "Harbourtown"
    assert len(queries) == 0


def test_a_page_asks_the_database_for_the_settings_only_when_the_cache_is_cold(administrator):
    services.municipality_settings_save(actor=administrator, values={"name": "Harbourtown"})
    Client().get("/")
    with CaptureQueriesContext(connection) as queries:
        Client().get("/about/terms/")
    assert not any("civic_municipality" in q["sql"] for q in queries)


def test_an_unreadable_database_falls_back_to_the_environment(settings, monkeypatch):
    from django.db import DatabaseError

    settings.MUNICIPALITY_NAME = "Env Kommune"

    def broken(*args, **kwargs):
        raise DatabaseError("down")

    branding.forget()
    monkeypatch.setattr(Municipality.objects, "order_by", broken)
    assert branding.effective().name == "Env Kommune"
    assert tenancy._local == {}  # nothing kept: read again once the database answers


def _png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (10, 10), "navy").save(output, "PNG")
    return output.getvalue()
