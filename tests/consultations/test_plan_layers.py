"""Plan layers and official map services: services, planner pages, API feeds, public map."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from civic.models import AuditEntry
from consultations import services
from consultations.models import MapService, PlanFeature, PlanLayer
from tests import factories
from tests.maps import plan_files as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(consultation, planner):
    consultation.planners.add(planner)
    return planner


def upload_layer(consultation, actor, path, **data):
    return services.plan_layer_upload(
        actor=actor,
        consultation=consultation,
        upload=pf.upload(path),
        data={"name": data.pop("name", "Tunnel"), **data},
    )


def test_upload_stores_features_in_wgs84_with_audit(consultation, manager, tmp_path):
    layer = upload_layer(consultation, manager, pf.harstad_tunnel_gpkg(tmp_path), legend="A")
    assert (layer.source_crs, layer.feature_count, layer.position) == ("EPSG:25833", 2, 0)
    route = layer.features.get(number=1)
    assert (route.name, route.kind) == ("Tunnel alternative A", "line")
    lon, lat = json.loads(route.geometry)["coordinates"][1]
    assert (round(lon, 4), round(lat, 4)) == pf.HARSTAD
    entry = AuditEntry.objects.get(action="consultation.plan_layer_create")
    assert entry.consultation_id == consultation.pk and entry.changes["crs"] == "EPSG:25833"
    second = upload_layer(consultation, manager, pf.entrances_kml(tmp_path), name="Portals")
    assert second.position == 1


def test_a_failing_file_leaves_nothing_half_saved(consultation, manager, tmp_path):
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(ValidationError) as caught:
        upload_layer(consultation, manager, pf.geojson(tmp_path, bow_tie))
    assert "Self-intersection" in caught.value.message_dict["file"][0]
    assert not PlanLayer.objects.exists() and not PlanFeature.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="consultation.plan").exists()


def test_residents_and_other_planners_may_not_upload(consultation, resident, tmp_path):
    limited = factories.PlannerFactory(limited_to_assigned=True)
    for person in (resident, limited):
        with pytest.raises(PermissionDenied):
            upload_layer(consultation, person, pf.entrances_kml(tmp_path))


def test_style_change_moves_version_and_refuses_low_contrast(consultation, manager, tmp_path):
    layer = upload_layer(consultation, manager, pf.entrances_kml(tmp_path))
    updated = services.plan_layer_update(
        actor=manager, layer=layer, data={"colour": "#1a4f8b", "dash": "dashed", "line_width": 4}
    )
    assert (updated.version, updated.dash_array) == (2, "12 8")
    with pytest.raises(ValidationError) as caught:
        services.plan_layer_update(actor=manager, layer=layer, data={"colour": "#ffff66"})
    assert "too light" in caught.value.message_dict["colour"][0]


def test_move_and_delete(consultation, manager, tmp_path):
    first = upload_layer(consultation, manager, pf.entrances_kml(tmp_path), name="One")
    second = upload_layer(consultation, manager, pf.entrances_kml(tmp_path), name="Two")
    services.plan_layer_move(actor=manager, layer=second, direction="up")
    assert list(consultation.plan_layers.values_list("name", flat=True)) == ["Two", "One"]
    services.plan_layer_move(actor=manager, layer=second, direction="up")  # already first
    assert list(consultation.plan_layers.values_list("name", flat=True)) == ["Two", "One"]
    services.plan_layer_delete(actor=manager, layer=first)
    assert set(PlanFeature.objects.values_list("layer__name", flat=True)) == {"Two"}


# --- planner pages -------------------------------------------------------------------------


def test_planner_uploads_through_the_page_and_sees_form_errors(
    client, consultation, manager, tmp_path
):
    client.force_login(manager)
    url = reverse("consultations:plan-layers", args=[consultation.slug])
    assert client.get(url).status_code == 200
    bad = tmp_path / "empty.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": []}')
    form = {
        "layer-name": "Zoning",
        "layer-legend": "",
        "layer-colour": "#1a4f8b",
        "layer-line_width": "3",
        "layer-fill_colour": "#1a4f8b",
        "layer-fill_opacity": "20",
        "layer-dash": "solid",
    }
    response = client.post(url, {**form, "layer-file": pf.upload(bad)})
    assert response.status_code == 400
    assert "The file has no features: the layer is empty." in response.content.decode()
    assert not PlanLayer.objects.exists()
    response = client.post(url, {**form, "layer-file": pf.upload(pf.aarhus_gpkg_utm32(tmp_path))})
    assert response.status_code == 302
    assert PlanLayer.objects.get().source_crs == "EPSG:25832"
    page = client.get(url).content.decode()
    assert "read in EPSG:25832, shown in WGS 84" in page and "Move “Zoning” down" not in page


def test_planner_pages_refuse_residents(client, consultation, resident, tmp_path):
    client.force_login(resident)
    url = reverse("consultations:plan-layers", args=[consultation.slug])
    assert client.get(url).status_code == 403


def test_map_service_only_https_and_wms_needs_layers(consultation, manager, settings):
    data = {"name": "Kommuneplan", "protocol": "wms", "role": "overlay", "attribution": "Kommune"}
    with pytest.raises(ValidationError) as caught:
        services.map_service_create(
            actor=manager,
            consultation=consultation,
            data={**data, "url": "http://wms.example.org/wms", "layers": "plan"},
        )
    assert "must start with https://" in caught.value.message_dict["url"][0]
    with pytest.raises(ValidationError) as caught:
        services.map_service_create(
            actor=manager, consultation=consultation, data={**data, "url": "https://a.no/wms"}
        )
    assert "layers" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.map_service_create(
            actor=manager,
            consultation=consultation,
            data={**data, "protocol": "xyz", "url": "https://a.no/tiles/{z}/{x}.png"},
        )
    assert "{z}, {x} and {y}" in caught.value.message_dict["url"][0]
    settings.DEBUG, settings.TESTING = False, False
    with pytest.raises(ValidationError):
        services.map_service_create(
            actor=manager,
            consultation=consultation,
            data={**data, "url": "http://localhost:8001/wms", "layers": "plan"},
        )


def test_map_service_host_joins_the_pages_image_sources(client, consultation, manager):
    url = consultation.get_absolute_url()
    assert "wms.geonorge.no" not in client.get(url)["Content-Security-Policy"]
    services.map_service_create(
        actor=manager,
        consultation=consultation,
        data={
            "name": "Topo",
            "protocol": "wms",
            "url": "https://wms.geonorge.no/skwms1/wms.topo",
            "layers": "topo",
            "attribution": "© Kartverket",
        },
    )
    assert MapService.objects.count() == 1
    assert "https://wms.geonorge.no" in client.get(url)["Content-Security-Policy"]
    # The same for the copy anonymous visitors get from the page cache, with no query for it.
    client.logout()
    client.get(url)
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    assert "https://wms.geonorge.no" in response["Content-Security-Policy"]
    other = factories.ConsultationFactory()
    assert "wms.geonorge.no" not in client.get(other.get_absolute_url())["Content-Security-Policy"]


def test_text_a_resident_writes_cannot_add_an_image_host(client, consultation, resident):
    factories.IdeaFactory(
        consultation=consultation, title='x data-map-image-sources="https://evil.example" y'
    )
    response = client.get(consultation.get_absolute_url())
    assert "evil.example" not in response["Content-Security-Policy"]


# --- API and feeds ---------------------------------------------------------------------------


def test_api_lists_layers_with_style_and_feed(client, consultation, manager, tmp_path):
    layer = upload_layer(consultation, manager, pf.harstad_tunnel_gpkg(tmp_path))
    answer = client.get(reverse("api-plan-layer-list", args=[consultation.slug])).json()
    (listed,) = answer["layers"]
    assert listed["style"]["color"] == layer.colour and listed["feature_count"] == 2
    feed = client.get(listed["feed_url"] + "&zoom=12")
    assert feed["Content-Type"] == "application/geo+json"
    collection = feed.json()
    assert collection["type"] == "FeatureCollection"
    first = collection["features"][0]
    assert first["id"] == layer.features.get(number=1).pk
    assert first["properties"]["name"] == "Tunnel alternative A"
    lon, lat = first["geometry"]["coordinates"][1]
    assert abs(lon - pf.HARSTAD[0]) < 1e-5 and abs(lat - pf.HARSTAD[1]) < 1e-5


def test_feed_refuses_bad_zoom(client, consultation, manager, tmp_path):
    layer = upload_layer(consultation, manager, pf.entrances_kml(tmp_path))
    url = reverse("api-plan-layer-geojson", args=[consultation.slug, layer.pk])
    response = client.get(url + "?zoom=abc")
    assert response.status_code == 400 and "zoom" in response.json()


def test_feed_simplifies_per_zoom_and_is_cached_by_version(
    client, consultation, manager, tmp_path, django_assert_num_queries
):
    wiggle = {
        "type": "LineString",
        "coordinates": [[16 + i / 10000, 68 + (i % 2) / 100000] for i in range(2000)],
    }
    layer = upload_layer(consultation, manager, pf.geojson(tmp_path, wiggle))
    url = reverse("api-plan-layer-geojson", args=[consultation.slug, layer.pk])

    def vertices(zoom):
        return len(
            client.get(f"{url}?zoom={zoom}").json()["features"][0]["geometry"]["coordinates"]
        )

    assert vertices(6) < 10 < vertices(17) and vertices(17) <= 2000
    client.get(f"{url}?zoom=9")
    with django_assert_num_queries(1):  # the layer with its consultation; features cached
        client.get(f"{url}?zoom=9")
    services.plan_layer_update(actor=manager, layer=layer, data={"name": "Renamed"})
    assert client.get(f"{url}?zoom=9").json()["layer"]["name"] == "Renamed"


def test_feed_query_count_does_not_grow_with_features(
    client, consultation, manager, tmp_path, django_assert_num_queries
):
    def points(n):
        return {"type": "MultiPoint", "coordinates": [[16 + i / 100, 68] for i in range(n)]}

    small = upload_layer(consultation, manager, pf.geojson(tmp_path, points(2), "a.geojson"))
    big = upload_layer(consultation, manager, pf.geojson(tmp_path, points(20), "b.geojson"))
    for layer in (small, big):
        with django_assert_num_queries(2):  # layer with consultation, features (cold cache)
            client.get(reverse("api-plan-layer-geojson", args=[consultation.slug, layer.pk]))


def test_draft_layers_are_not_public(client, planner, tmp_path):
    draft = factories.ConsultationFactory(status="draft")
    draft.planners.add(planner)
    layer = upload_layer(draft, planner, pf.entrances_kml(tmp_path))
    url = reverse("api-plan-layer-geojson", args=[draft.slug, layer.pk])
    assert client.get(url).status_code == 404
    client.force_login(planner)
    response = client.get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


# --- the public map ------------------------------------------------------------------------


def test_public_map_has_legend_list_and_config_in_two_languages(
    consultation, manager, tmp_path, django_assert_max_num_queries
):
    upload_layer(consultation, manager, pf.harstad_tunnel_gpkg(tmp_path), legend="Alternative A")
    services.map_service_create(
        actor=manager,
        consultation=consultation,
        data={
            "name": "Reguleringsplan",
            "protocol": "wms",
            "url": "https://wms.example.no/wms",
            "layers": "plan",
            "attribution": "© Harstad kommune",
        },
    )
    url = consultation.get_absolute_url()
    page = Client().get(url).content.decode()
    assert 'data-plan-id="consultation-plan-map"' in page
    assert "Plan layers on the map" in page and "Alternative A" in page
    assert "Tunnel alternative A" in page and "Zoning area" in page
    config = json.loads(
        page.split('id="consultation-plan-map" type="application/json">')[1].split("</script>")[0]
    )
    assert config["layers"][0]["style"]["color"] == "#b3261e"
    assert config["services"][0]["attribution"] == "© Harstad kommune"
    with translation.override("da"):
        page = Client(headers={"accept-language": "da"}).get(url).content.decode()
    assert "Planlag" in page


def test_list_beside_the_map_names_at_most_fifty_features_per_layer(
    consultation, manager, tmp_path
):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": f"Plot {i}"},
                "geometry": {"type": "Point", "coordinates": [16 + i / 1000, 68]},
            }
            for i in range(1, 61)
        ],
    }
    path = tmp_path / "plots.geojson"
    path.write_text(json.dumps(collection))
    upload_layer(consultation, manager, path, name="Plots")
    page = Client().get(consultation.get_absolute_url()).content.decode()
    assert "Plot 50 <" in page and "Plot 51 <" not in page and "and 10 more features" in page


def test_planner_edits_a_map_service_and_sees_the_reason_for_a_bad_address(
    client, consultation, manager
):
    service = services.map_service_create(
        actor=manager,
        consultation=consultation,
        data={
            "name": "Topo",
            "url": "https://wms.example.no/wms",
            "layers": "topo",
            "attribution": "© Kartverket",
        },
    )
    client.force_login(manager)
    url = reverse("consultations:map-service-edit", args=[consultation.slug, service.pk])
    form = {
        "name": "Topografisk",
        "protocol": "wms",
        "role": "base",
        "url": "http://wms.example.no/wms",
        "layers": "topo",
        "image_format": "image/png",
        "attribution": "© Kartverket",
        "opacity": "100",
    }
    response = client.post(url, form)
    assert response.status_code == 400
    assert "must start with https://" in response.content.decode()
    response = client.post(url, {**form, "url": "https://wms.example.no/wms"})
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.name, service.role, service.opacity) == ("Topografisk", "base", 100)
    assert AuditEntry.objects.filter(action="consultation.map_service_update").exists()
