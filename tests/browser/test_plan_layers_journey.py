"""Plan layers in the browser: a planner uploads a GeoPackage in UTM and a KML, styles them and
adds a WMS overlay from a stand-in map service; residents see the layers under the pins with a
legend and a list, in Danish and English, at phone width; and the map works when the service
is down."""

import re
import shutil
from pathlib import Path

import pytest

from consultations import services
from devsite.fakes.wms import FakeWMS
from tests import factories
from tests.browser.conftest import SCREENSHOTS, a11y_check, login, visit
from tests.maps import plan_files as pf

SHOTS = Path("/tmp/shots_plan")
# An area around Harstad centre, where the tunnel files lie.


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


@pytest.fixture
def wms():
    with FakeWMS() as fake:
        yield fake


@pytest.fixture
def harstad(transactional_db):
    consultation = factories.ConsultationFactory(
        slug="sentrum", title="Harstad sentrum", area=pf.HARSTAD_AREA
    )
    factories.IdeaFactory(
        consultation=consultation, title="Bike lane on the quay", longitude=16.545, latitude=68.80
    )
    return consultation


def keep_shots():
    SHOTS.mkdir(exist_ok=True)
    for name in ("test_planner_uploads_styles", "test_the_map_works_when"):
        for shot in SCREENSHOTS.glob(f"{name}*"):
            shutil.copy(shot, SHOTS / shot.name)


def plan_paths(page):
    return page.locator(".leaflet-overlay-pane path")


def test_planner_uploads_styles_and_adds_a_wms_overlay(
    page, new_page, live_server, harstad, wms, tmp_path
):
    planner = factories.PlannerFactory()
    login(page, live_server, planner)
    visit(page, f"/{harstad.slug}/", "hub-as-planner")
    with page.expect_navigation():
        page.get_by_role("link", name="Map layers").click()
    a11y_check(page, "layers-empty")

    # A GeoPackage in EUREF89 UTM 33N.
    page.locator("#id_layer-file").set_input_files(str(pf.harstad_tunnel_gpkg(tmp_path)))
    page.locator("#id_layer-name").fill("Tunnel alternatives")
    page.locator("#id_layer-legend").fill("Route A through the centre")
    page.locator("#id_layer-colour").fill("#8b1a1a")
    with page.expect_navigation():
        page.get_by_role("button", name="Upload the layer").click()
    assert "read in EPSG:25833, shown in WGS 84" in page.content()

    # A KML of the portals, then a file that is refused with its reason and keeps nothing.
    page.locator("#id_layer-file").set_input_files(str(pf.entrances_kml(tmp_path)))
    page.locator("#id_layer-name").fill("Portals")
    with page.expect_navigation():
        page.get_by_role("button", name="Upload the layer").click()
    bad = tmp_path / "bowtie.geojson"
    bad.write_text(
        '{"type":"Feature","properties":{"name":"Zone"},"geometry":{"type":"Polygon",'
        '"coordinates":[[[16.5,68.79],[16.55,68.8],[16.55,68.79],[16.5,68.8],[16.5,68.79]]]}}'
    )
    page.locator("#id_layer-file").set_input_files(str(bad))
    page.locator("#id_layer-name").fill("Broken")
    with page.expect_navigation():
        page.get_by_role("button", name="Upload the layer").click()
    assert "Feature 1 “Zone” is not a valid shape (Self-intersection" in page.content()
    a11y_check(page, "layers-upload-error")
    assert harstad.plan_layers.count() == 2

    # Style the portals: a dotted blue line; a too light colour is refused first.
    with page.expect_navigation():
        page.get_by_role("link", name="Style of “Portals”").click()
    page.locator("#id_colour").fill("#ffff99")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the style").click()
    assert "too light" in page.locator("#id_colour_error").inner_text()
    page.locator("#id_colour").fill("#1a4f8b")
    page.locator("#id_dash").select_option("dotted")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the style").click()
    # Order: the portals go first (drawn at the bottom), without JavaScript needed.
    with page.expect_navigation():
        page.get_by_role("button", name="Move “Portals” up").click()
    assert [layer.name for layer in harstad.plan_layers.all()] == ["Portals", "Tunnel alternatives"]

    # The WMS overlay from the stand-in service.
    page.locator("#id_service-name").fill("Reguleringsplan")
    page.locator("#id_service-url").fill(wms.base_url + "/wms")
    page.locator("#id_service-layers").fill("reguleringsplan")
    page.locator("#id_service-attribution").fill("© Harstad kommune")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the map service").click()
    a11y_check(page, "layers-with-service")

    # Residents: the layers under the pins with legend and list, the WMS tiles loaded.
    for locale, legend in (("en-GB", "Plan layers on the map"), ("da-DK", "Planlag på kortet")):
        resident = new_page(locale)
        visit(resident, f"/{harstad.slug}/", f"public-map-{locale}")
        resident.get_by_text(legend).wait_for()
        plan_paths(resident).first.wait_for()
        resident.wait_for_function(
            "() => [...document.querySelectorAll('.leaflet-tile-pane img')]"
            ".some(img => img.src.includes('/wms?') && img.complete && img.naturalWidth > 0)"
        )
        assert plan_paths(resident).count() >= 2  # route and zoning area
        # The two portals, dotted as styled; the route and area solid.
        assert resident.locator('.leaflet-overlay-pane path[stroke-dasharray="1 6"]').count() == 2
        listed = resident.locator(".plan-feature-list").inner_text()
        assert "Tunnel alternative A" in listed and "North portal" in listed
        assert "© Harstad kommune" in resident.locator(".leaflet-control-attribution").inner_text()
        a11y_check(resident, f"public-map-loaded-{locale}")
    assert any(request.get("LAYERS") == "reguleringsplan" for request in wms.requests)

    # The legend's toggle hides a layer and brings it back.
    resident.get_by_label("Tunnel alternatives").uncheck()
    resident.wait_for_function(
        "() => document.querySelectorAll('.leaflet-overlay-pane path').length === 3"
    )
    resident.get_by_label("Tunnel alternatives").check()

    narrow = new_page("nb-NO")
    narrow.set_viewport_size({"width": 390, "height": 844})
    visit(narrow, f"/{harstad.slug}/", "public-map-390")
    plan_paths(narrow).first.wait_for()
    a11y_check(narrow, "public-map-390-loaded")
    width = narrow.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px)"
    keep_shots()


def test_the_map_works_when_the_map_service_is_down(new_page, live_server, harstad, wms, tmp_path):
    planner = factories.PlannerFactory()
    services.plan_layer_upload(
        actor=planner,
        consultation=harstad,
        upload=pf.upload(pf.harstad_tunnel_gpkg(tmp_path)),
        data={"name": "Tunnel alternatives"},
    )
    services.map_service_create(
        actor=planner,
        consultation=harstad,
        data={
            "name": "Reguleringsplan",
            "url": wms.base_url + "/wms",
            "layers": "reguleringsplan",
            "attribution": "© Harstad kommune",
        },
    )
    wms.down = True
    page = new_page("en-GB")
    visit(page, f"/{harstad.slug}/", "service-down")
    page.get_by_text(re.compile("is not answering; the map works without it")).wait_for()
    plan_paths(page).first.wait_for()
    page.locator(".leaflet-marker-icon").first.wait_for()  # the idea's pin
    assert "Bike lane on the quay" in page.locator("[data-map-list]").inner_text()
    a11y_check(page, "service-down-loaded")
    assert wms.requests  # the map did ask
    keep_shots()
