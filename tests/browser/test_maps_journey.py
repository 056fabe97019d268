"""Maps in the browser: pin an idea by clicking the map, find it in the list beside the map,
see the nearby-duplicates panel, and draw a consultation's area as a planner."""

import re

import pytest

from ideas.models import Idea
from tests import factories
from tests.browser.conftest import (
    a11y_check,
    draw_a_rectangle_area,
    login,
    open_without_script,
    visit,
)


@pytest.fixture
def harbour(transactional_db):
    consultation = factories.ConsultationFactory(slug="harbour", title="Christiansholm")
    bath = factories.CategoryFactory(consultation=consultation, name="Bathing", colour="#0a7f5a")
    factories.IdeaFactory(
        consultation=consultation,
        category=bath,
        title="Harbour bath with sand",
        address_label="Trangravsvej 14, 1436 København K",
        longitude=12.5962,
        latitude=55.6797,
        number=1,
    )
    # Ideas written by the factory bypass the numbering service; continue after them.
    type(consultation).objects.filter(pk=consultation.pk).update(idea_counter=1)
    return consultation


def map_canvas(page):
    return page.locator("[data-map-widget]").first


def test_resident_pins_an_idea_and_finds_it_in_the_list(page, live_server, harbour):
    resident = factories.UserFactory()
    login(page, live_server, resident)
    visit(page, f"/ideas/c/{harbour.slug}/new/", "submit-form")
    canvas = map_canvas(page)
    canvas.wait_for()
    page.locator("#id_title").fill("Harbour bath")
    # Click the middle of the map, which the area fills.
    box = canvas.bounding_box()
    canvas.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    page.wait_for_function("() => document.getElementById('id_latitude').value !== ''")
    latitude = float(page.locator("#id_latitude").input_value())
    longitude = float(page.locator("#id_longitude").input_value())
    assert 55.6780 <= latitude <= 55.6815 and 12.5925 <= longitude <= 12.5995
    # Reverse geocoding from the shipped gazetteer fills the address.
    page.wait_for_function("() => document.getElementById('id_address_label').value !== ''")
    assert "København" in page.locator("#id_address_label").input_value()
    # The existing bath nearby is offered, in one quiet panel.
    panel = page.locator("[data-nearby-panel]")
    panel.get_by_text("Harbour bath with sand").wait_for()
    assert panel.get_by_role("button").count() == 1
    a11y_check(page, "pin-placed-with-nearby")

    page.locator("#id_title").fill("Rowing club boathouse")
    page.locator("#id_description").fill("A boathouse for the rowing club on the quay.")
    with page.expect_navigation():
        page.locator("form.idea-form button[type=submit]").first.click()
    idea = Idea.objects.get(title="Rowing club boathouse")
    assert idea.latitude == pytest.approx(latitude, abs=1e-6)
    assert idea.address_label
    visit(page, page.url, "idea-page")

    visit(page, harbour.get_absolute_url(), "consultation-map")
    listing = page.locator("[data-map-list]")
    listing.get_by_role("link", name="Rowing club boathouse").wait_for()
    assert listing.get_by_role("link", name="Harbour bath with sand").count() == 1
    # The markers are keyboard-reachable: Enter on a pin opens its popup, on a cluster zooms in.
    marker = page.locator(".map-consultation .leaflet-marker-icon").first
    marker.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.leaflet-popup') || document.querySelectorAll("
        "'.map-consultation .leaflet-marker-icon').length > 1"
    )
    a11y_check(page, "consultation-map-after-enter")


def test_pin_outside_the_area_is_refused_in_the_browser(page, live_server, harbour):
    login(page, live_server, factories.UserFactory())
    visit(page, f"/ideas/c/{harbour.slug}/new/", "submit-form")
    canvas = map_canvas(page)
    canvas.wait_for()
    canvas.click(position={"x": 5, "y": 5})
    status = page.locator(".map-pin-picker [data-map-status]")
    expect_text = re.compile("uden for|outside", re.IGNORECASE)
    page.wait_for_function(
        "() => document.querySelector('.map-pin-picker [data-map-status]').textContent !== ''"
    )
    assert expect_text.search(status.text_content())
    assert page.locator("#id_latitude").input_value() == ""
    # Without a mouse: the button puts the pin at the centre of the map, inside the area.
    page.locator("[data-pin-centre]").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('id_latitude').value !== ''")
    assert 55.6780 <= float(page.locator("#id_latitude").input_value()) <= 55.6815
    # The zoom buttons have names a screen reader reads, in the page's language.
    assert page.locator(".leaflet-control-zoom-in").get_attribute("aria-label") == "Zoom ind"
    assert page.locator(".leaflet-control-zoom-out").get_attribute("aria-label") == "Zoom ud"


def test_address_search_places_the_pin(page, live_server, harbour):
    login(page, live_server, factories.UserFactory())
    visit(page, f"/ideas/c/{harbour.slug}/new/", "submit-form")
    page.locator("#map-address-search").fill("Papirøen 3")
    page.locator("#map-address-search").press("Enter")
    result = page.get_by_role("button", name=re.compile("Papirøen 3"))
    result.click()
    assert page.locator("#id_address_label").input_value() == "Papirøen 3, 1436 København K"
    assert page.locator("#id_latitude").input_value() != ""
    a11y_check(page, "address-search")


def test_planner_draws_the_area(page, live_server, harbour, tmp_path):
    planner = factories.PlannerFactory()
    login(page, live_server, planner)
    visit(page, f"/{harbour.slug}/edit/", "edit-form")
    draw_a_rectangle_area(page)
    a11y_check(page, "area-drawn")

    # A chosen GeoJSON file is previewed on the map and copied into the field.
    upload = tmp_path / "harbour.geojson"
    upload.write_text(
        '{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": '
        "[[[12.59, 55.67], [12.60, 55.67], [12.60, 55.68], [12.59, 55.67]]]}}"
    )
    page.locator("#id_area_file").set_input_files(str(upload))
    page.wait_for_function("() => document.getElementById('id_area').value.includes('12.59')")
    assert page.locator(".map-area-editor path.leaflet-interactive").count() == 1


def test_this_is_my_idea_supports_and_follows_the_existing_one(page, live_server, harbour):
    from ideas.models import Follow, Support

    resident = factories.UserFactory()
    login(page, live_server, resident)
    visit(page, f"/ideas/c/{harbour.slug}/new/", "submit-form")
    page.locator("#id_latitude").fill("55.6797")
    page.locator("#id_longitude").fill("12.5961")
    page.locator("#id_longitude").dispatch_event("change")
    page.locator("#id_title").fill("harbour bath")
    panel = page.locator("[data-nearby-panel]")
    button = panel.get_by_role("button")
    button.wait_for()
    with page.expect_navigation():
        button.click()
    existing = Idea.objects.get(title="Harbour bath with sand")
    assert page.url.endswith(existing.get_absolute_url())
    assert Support.objects.filter(idea=existing, user=resident).exists()
    assert Follow.objects.filter(idea=existing, user=resident).exists()
    assert not Idea.objects.filter(title="harbour bath").exists()


def test_without_javascript_the_map_is_a_picture_beside_the_list(new_page, live_server, harbour):
    """axe needs scripts, so this page is checked with them in the other journeys; here the
    picture must load and the list must be there."""
    page = new_page(locale="en-GB", javascript=False)
    pictures = open_without_script(page, "/harbour/", "no-javascript", picture="static.svg")
    assert page.locator(".map-canvas img.map-static").is_visible()
    assert pictures == [200]
    assert "Harbour bath with sand" in page.locator("[data-map-list]").inner_text()


def test_an_idea_pages_map_shows_its_pin_when_its_parts_are_kept(new_page, live_server, harbour):
    """The map's scripts and configuration on an idea page are a part each worker keeps
    (maps_tags.map_assets): the second anonymous visitor gets them from the kept copy."""
    idea = harbour.ideas.get()
    for visitor in (1, 2):
        page = new_page(locale="en-GB")
        visit(page, idea.get_absolute_url(), f"idea-page-map-visitor-{visitor}")
        canvas = page.locator('[data-map-widget="idea"]')
        canvas.locator(".leaflet-marker-icon").wait_for()
        assert canvas.get_attribute("data-map-ready") == "true"
        assert page.locator("#map-config").count() == 1
