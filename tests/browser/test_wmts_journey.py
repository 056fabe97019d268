"""A WMTS overlay in the browser: a planner reads the stand-in service's capabilities, sees why
the UTM matrix set is not offered, picks a layer and the Web Mercator set; residents see its
tiles on the public map (the stand-in gets the tile requests, with its own matrix identifiers),
at desktop and 390 px width; and the map works when the service is down."""

import re

import pytest

from consultations import services
from devsite.fakes.wmts import FakeWMTS
from tests import factories
from tests.browser.conftest import a11y_check, login, visit
from tests.maps import plan_files as pf

TILE_LOADED = (
    "() => [...document.querySelectorAll('.leaflet-tile-pane img')]"
    ".some(img => img.src.includes("
    "'/wmts/1.0.0/kommuneplan/default/GoogleMapsCompatible/EPSG:3857:')"
    " && img.complete && img.naturalWidth > 0)"
)


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


@pytest.fixture
def wmts():
    with FakeWMTS() as fake:
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


def test_planner_adds_a_wmts_overlay_and_residents_see_its_tiles(
    page, new_page, live_server, harstad, wmts
):
    planner = factories.PlannerFactory()
    login(page, live_server, planner)
    visit(page, f"/{harstad.slug}/map-layers/", "layers")
    with page.expect_navigation():
        page.get_by_role("link", name="Add a WMTS service from its capabilities…").click()
    a11y_check(page, "wmts-address")

    # A wrong address first: the reason is shown on the field.
    page.get_by_label("Capabilities address").fill(wmts.base_url + "/nothing-here")
    with page.expect_navigation():
        page.get_by_role("button", name="Read the capabilities").click()
    assert "HTTP status 404" in page.locator("#id_wmts-capabilities_url_error").inner_text()
    a11y_check(page, "wmts-address-error")

    page.get_by_label("Capabilities address").fill(wmts.rest_capabilities_url)
    with page.expect_navigation():
        page.get_by_role("button", name="Read the capabilities").click()
    assert "EPSG:25833" in page.locator("main").inner_text()
    a11y_check(page, "wmts-choose")
    page.set_viewport_size({"width": 390, "height": 844})
    a11y_check(page, "wmts-choose-390")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px)"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Layer").select_option("kommuneplan")
    page.get_by_label("tile matrix set").select_option("GoogleMapsCompatible")
    page.get_by_label("name").fill("Kommuneplan")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the map service").click()
    assert "The map service “Kommuneplan” was added." in page.content()
    a11y_check(page, "wmts-added")
    service = harstad.map_services.get()
    assert service.attribution == "Stand-in kartverk"

    for width in (None, 390):
        resident = new_page("en-GB")
        if width:
            resident.set_viewport_size({"width": width, "height": 844})
        visit(resident, f"/{harstad.slug}/", f"public-map-wmts-{width or 'desktop'}")
        resident.wait_for_function(TILE_LOADED)
        assert "Stand-in kartverk" in resident.locator(".leaflet-control-attribution").inner_text()
        a11y_check(resident, f"public-map-wmts-loaded-{width or 'desktop'}")
    tiles = [r for r in wmts.requests if "/kommuneplan/default/GoogleMapsCompatible/" in r["path"]]
    assert tiles and all(re.search(r"/EPSG:3857:\d+/\d+/\d+\.png$", r["path"]) for r in tiles)


def test_the_map_works_when_the_wmts_service_is_down(new_page, live_server, harstad, wmts):
    planner = factories.PlannerFactory()
    harstad.planners.add(planner)
    services.map_service_add_wmts(
        actor=planner,
        consultation=harstad,
        data={
            "name": "Kommuneplan",
            "capabilities_url": wmts.kvp_capabilities_url,
            "layer": "kommuneplan",
            "image_format": "image/png",
            "tile_matrix_set": "GoogleMapsCompatible",
            "role": "overlay",
            "opacity": 70,
        },
    )
    wmts.down = True
    page = new_page("en-GB")
    visit(page, f"/{harstad.slug}/", "wmts-down")
    page.get_by_text(re.compile("is not answering; the map works without it")).wait_for()
    page.locator(".leaflet-marker-icon").first.wait_for()
    assert "Bike lane on the quay" in page.locator("[data-map-list]").inner_text()
    a11y_check(page, "wmts-down-loaded")
    assert any(r.get("REQUEST") == "GetTile" for r in wmts.requests)
