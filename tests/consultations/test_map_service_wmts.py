"""WMTS map services: a planner adds a layer from the stand-in service's capabilities in two
steps; every refusal is a form error with nothing saved; the public map gets the tile template,
the matrix identifiers and the host in its Content-Security-Policy, and works when the service
is down."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civic.models import AuditEntry
from consultations import services
from consultations.models import MapService
from devsite.fakes.wmts import FakeWMTS, exception_report
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake():
    with FakeWMTS() as server:
        yield server


@pytest.fixture
def manager(consultation, planner):
    consultation.planners.add(planner)
    return planner


@pytest.fixture
def page(client, consultation, manager):
    client.force_login(manager)
    return reverse("consultations:map-service-wmts", args=[consultation.slug])


CHOICE = {
    "name": "Kommuneplan",
    "layer": "kommuneplan",
    "style": "default",
    "image_format": "image/png",
    "tile_matrix_set": "GoogleMapsCompatible",
    "role": "overlay",
    "attribution": "",
    "opacity": "60",
}


def add(client, page, address, **choice):
    return client.post(page, {"wmts-capabilities_url": address, **CHOICE, **choice})


def plan_config(client, consultation):
    html = client.get(consultation.get_absolute_url()).content.decode()
    match = re.search(
        r'<script id="consultation-plan-map" type="application/json">(.*?)</script>', html
    )
    return json.loads(match.group(1))


@pytest.mark.parametrize("restful", [False, True])
def test_planner_reads_capabilities_then_adds_a_layer(client, consultation, page, fake, restful):
    address = fake.rest_capabilities_url if restful else fake.kvp_capabilities_url
    offered = client.post(page, {"wmts-capabilities_url": address})
    assert offered.status_code == 200
    html = offered.content.decode()
    assert "Reguleringsplan &amp; planforslag" in html
    assert '<option value="GoogleMapsCompatible"' in html and '<option value="utm33n"' not in html
    assert "EPSG:25833" in html  # why the UTM set is not offered
    assert MapService.objects.count() == 0

    response = add(client, page, address)
    assert response.status_code == 302
    service = MapService.objects.get()
    assert (service.protocol, service.layers, service.tile_matrix_set) == (
        "wmts",
        "kommuneplan",
        "GoogleMapsCompatible",
    )
    assert service.tile_matrices["12"] == "EPSG:3857:12"
    assert service.attribution == "Stand-in kartverk"  # from the capabilities' provider
    assert service.bounds == [4.0, 57.9, 31.2, 71.2]
    assert service.capabilities_url == address
    entry = AuditEntry.objects.get(action="consultation.map_service_create")
    assert entry.consultation_id == consultation.pk

    config = plan_config(client, consultation)
    (drawn,) = config["services"]
    assert drawn["protocol"] == "wmts" and drawn["matrices"]["5"] == "EPSG:3857:5"
    assert drawn["url"] == service.url and drawn["opacity"] == 0.6
    policy = client.get(consultation.get_absolute_url())["Content-Security-Policy"]
    assert fake.base_url in policy


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda fake: setattr(fake, "down", True), "HTTP status 503"),
        (lambda fake: setattr(fake, "capabilities_answer", (200, "text/plain", b"x")), "XML"),
        (
            lambda fake: setattr(
                fake,
                "capabilities_answer",
                (400, "application/xml", exception_report("NoApplicableCode", "x")),
            ),
            "reported an error: NoApplicableCode",
        ),
        (lambda fake: setattr(fake, "redirect_to", "https://other.example/caps"), "another host"),
    ],
)
def test_a_bad_service_is_a_form_error_and_nothing_is_saved(client, page, fake, setup, reason):
    setup(fake)
    for data in ({"wmts-capabilities_url": fake.kvp_capabilities_url}, None):
        response = client.post(page, data) if data else add(client, page, fake.kvp_capabilities_url)
        assert response.status_code == 400
        error = re.search(
            r'id="id_wmts-capabilities_url_error">([^<]*)<', response.content.decode()
        )
        assert error and reason in error.group(1)
    assert MapService.objects.count() == 0


def test_a_utm_set_or_an_unknown_layer_is_refused_on_its_field(client, page, fake):
    response = add(client, page, fake.kvp_capabilities_url, tile_matrix_set="utm33n")
    assert response.status_code == 400
    assert 'id="id_tile_matrix_set_error"' in response.content.decode()
    response = add(client, page, fake.kvp_capabilities_url, layer="<script>")
    assert response.status_code == 400 and "<script>" not in response.content.decode()
    assert MapService.objects.count() == 0


def test_http_on_a_host_not_allowed(client, page, settings):
    response = client.post(page, {"wmts-capabilities_url": "http://tiles.example.org/wmts"})
    assert response.status_code == 400 and "must start with https://" in response.content.decode()


def test_residents_may_not_add_a_wmts_service(client, consultation, resident, fake):
    client.force_login(resident)
    url = reverse("consultations:map-service-wmts", args=[consultation.slug])
    assert client.post(url, {"wmts-capabilities_url": fake.kvp_capabilities_url}).status_code == 403
    assert fake.requests == []  # refused before the server reached out


def test_editing_a_wmts_service_keeps_its_tiles(client, consultation, manager, fake):
    service = services.map_service_add_wmts(
        actor=manager,
        consultation=consultation,
        data={**CHOICE, "capabilities_url": fake.kvp_capabilities_url, "attribution": "© Kommune"},
    )
    client.force_login(manager)
    edit = reverse("consultations:map-service-edit", args=[consultation.slug, service.pk])
    form_page = client.get(edit).content.decode()
    assert 'name="url"' not in form_page and "Layer kommuneplan in the tile matrix set" in form_page
    response = client.post(
        edit,
        {"name": "Renamed", "role": "base", "attribution": "© K", "opacity": 80, "url": "x"},
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.name, service.role, service.opacity) == ("Renamed", "base", 80)
    assert "{TileMatrix}" in service.url


def test_a_wmts_service_without_matrices_is_refused_by_the_model(consultation, manager):
    with pytest.raises(ValidationError) as caught:
        services.map_service_create(
            actor=manager,
            consultation=consultation,
            data={
                "name": "x",
                "protocol": "wmts",
                "url": "https://t.example.org/{TileMatrix}/{TileRow}/{TileCol}.png",
                "attribution": "K",
            },
        )
    assert "capabilities_url" in caught.value.message_dict


def test_the_map_page_works_when_the_service_is_down(client, consultation, manager, fake):
    services.map_service_add_wmts(
        actor=manager,
        consultation=consultation,
        data={**CHOICE, "capabilities_url": fake.rest_capabilities_url},
    )
    fake.down = True
    response = client.get(consultation.get_absolute_url())
    assert response.status_code == 200
    assert plan_config(client, consultation)["services"][0]["protocol"] == "wmts"


def _wmts_rows(consultation, count):
    for number in range(count):
        MapService.objects.create(
            consultation=consultation,
            name=f"Tiles {number}",
            protocol="wmts",
            url=f"https://t{number}.example.org/{{TileMatrix}}/{{TileRow}}/{{TileCol}}.png",
            layers="plan",
            tile_matrix_set="g",
            tile_matrices={"5": "5"},
            attribution="K",
        )


def test_queries_do_not_grow_with_services(client, resident):
    client.force_login(resident)  # signed in: no page cache, the page is built each time
    counts = []
    for count in (2, 20):
        consultation = factories.ConsultationFactory()
        _wmts_rows(consultation, count)
        client.get(consultation.get_absolute_url())  # warm the caches alike
        with CaptureQueriesContext(connection) as queries:
            response = client.get(consultation.get_absolute_url())
        assert response.content.decode().count("example.org/{TileMatrix}") == count
        counts.append(len(queries))
    assert counts[0] == counts[1] > 0


def test_titles_from_the_capabilities_are_escaped(client, page, fake):
    from devsite.fakes.wmts import capabilities

    hostile = capabilities(fake.base_url, True).replace(
        b"Kommuneplan</ows:Title>", b"&lt;script&gt;alert(1)&lt;/script&gt;</ows:Title>"
    )
    fake.capabilities_answer = (200, "application/xml", hostile)
    html = client.post(page, {"wmts-capabilities_url": fake.rest_capabilities_url}).content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in html and b"<script>alert(1)" not in html
