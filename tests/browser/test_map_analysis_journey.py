# ruff: noqa: E501
"""The planner's map analysis in the browser: the heat map's layer switch, a selection drawn
with the mouse and one chosen with the keyboard, in English and Danish, at desktop and phone
width; a councillor reads it; a resident is refused."""

import json

import pytest

from consultations.models import PlanFeature, PlanLayer
from tests import factories
from tests.browser.conftest import a11y_check, login, visit
from tests.debate.factories import CommentFactory

STREET = {"type": "LineString", "coordinates": [[12.5980, 55.6780], [12.5980, 55.6815]]}
WEST_ZONE = {
    "type": "Polygon",
    "coordinates": [
        [[12.5925, 55.6780], [12.5960, 55.6780], [12.5960, 55.6815], [12.5925, 55.6815], [12.5925, 55.6780]]
    ],
}  # fmt: skip


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


@pytest.fixture
def harbour(transactional_db):
    consultation = factories.ConsultationFactory(slug="harbour", title="Harbour plan")
    for n in range(6):
        factories.IdeaFactory(
            consultation=consultation,
            title=f"West idea {n}",
            longitude=12.5935 + n * 0.0002,
            latitude=55.6790,
            support_count=n,
        )
    for n in range(3):
        idea = factories.IdeaFactory(
            consultation=consultation,
            title=f"East idea {n}",
            longitude=12.5980,
            latitude=55.6800 + n * 0.0002,
            support_count=10,
        )
        CommentFactory(topic=None, idea=idea)
    layer = PlanLayer.objects.create(consultation=consultation, name="Streets and zones")
    PlanFeature.objects.create(
        layer=layer, number=1, name="Harbour street", kind="line", geometry=json.dumps(STREET)
    )
    PlanFeature.objects.create(
        layer=layer, number=2, name="West zone", kind="area", geometry=json.dumps(WEST_ZONE)
    )
    return consultation


def wait_for_heat(page, kind: str) -> int:
    page.wait_for_function(
        "kind => { const m = document.querySelector('[data-analysis-map]');"
        " return m && m.dataset.heatKind === kind && Number(m.dataset.heatCells) > 0; }",
        arg=kind,
    )
    return page.locator(".leaflet-overlay-pane path").count()


def check_at_phone_width(page, name: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    a11y_check(page, f"{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_planner_switches_layers_draws_and_selects_by_keyboard(page, live_server, harbour):
    planner = factories.PlannerFactory()
    login(page, live_server, planner)
    visit(page, f"/{harbour.slug}/map-analysis/", "ideas-heat")
    assert wait_for_heat(page, "ideas") > 0
    assert page.get_by_role("table").first.locator("tbody tr").count() > 0

    page.get_by_label("Supports").check()
    assert wait_for_heat(page, "supports") > 0
    assert "kind=supports" in page.url
    page.get_by_label("Comments").check()
    wait_for_heat(page, "comments")
    a11y_check(page, "comments-heat")

    # A rectangle drawn with the mouse over the map's western half (clear of the controls).
    page.locator(".leaflet-pm-icon-rectangle").click()
    box = page.locator("[data-analysis-map]").bounding_box()
    start = (box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.15)
    end = (box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.9)
    page.mouse.click(*start)
    page.mouse.move(*end, steps=5)
    page.mouse.click(*end)
    page.locator("#results-heading").wait_for()
    results = page.locator("[data-analysis-results]").inner_text()
    assert "Selection: drawn on the map" in results
    assert "West idea" in results and "East idea" not in results
    a11y_check(page, "drawn-selection")

    # The same page without the mouse: a plan feature chosen in the form.
    page.get_by_label("A feature of a plan layer").check()
    page.get_by_label("Plan feature").select_option(label="Harbour street (Line)")
    page.get_by_label("Distance from a line or point (metres)").fill("30")
    with page.expect_navigation():
        page.get_by_label("Distance from a line or point (metres)").press("Enter")
    results = page.locator("[data-analysis-results]").inner_text()
    assert "Selection: within 30 m of “Harbour street”" in results
    assert "East idea" in results and "West idea" not in results
    a11y_check(page, "feature-selection")
    check_at_phone_width(page, "feature-selection")

    # The comparison table sorts by a column and offers its CSV.
    with page.expect_navigation():
        page.get_by_role("link", name="Ideas", exact=True).first.click()
    rows = page.locator(".analysis-compare tbody th").all_inner_texts()
    assert rows == ["West zone", "Harbour street"]
    assert page.get_by_role("link", name="Download as CSV: Streets and zones").count() == 1


def test_planner_in_danish_at_both_widths(new_page, live_server, harbour):
    page = new_page(locale="da-DK")
    login(page, live_server, factories.PlannerFactory(language="da"))
    visit(page, f"/{harbour.slug}/map-analysis/", "danish")
    wait_for_heat(page, "ideas")
    assert "Kortanalyse" in page.content()
    a11y_check(page, "danish-heat")
    check_at_phone_width(page, "danish")


def test_councillor_reads_and_resident_is_refused(new_page, live_server, harbour):
    councillor_page = new_page(locale="en-GB")
    login(councillor_page, live_server, factories.CouncillorFactory())
    visit(councillor_page, f"/{harbour.slug}/map-analysis/", "councillor")
    wait_for_heat(councillor_page, "ideas")
    assert councillor_page.locator("article.map-analysis form[method=post]").count() == 0
    check_at_phone_width(councillor_page, "councillor")

    resident_page = new_page(locale="en-GB")
    login(resident_page, live_server, factories.UserFactory())
    visit(resident_page, f"/{harbour.slug}/map-analysis/", "resident", expect_status=403)
